package org.convnet4j.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.convnet4j.graph.Precision;
import org.convnet4j.ops.Adam;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.Size2;
import org.convnet4j.ops.SoftmaxCrossEntropy;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * A first look at a backend on a new machine, in about a second: one small call of each primitive
 * family, each result checked against plain float64 arithmetic on the host. On CUDA they exercise
 * every library the backend uses: fill, add, the fused batch norm, the loss, Adam (with AdamW's
 * decay) and gradient clipping's two passes are our kernels,
 * dense is cuBLAS, the three convolution passes, plain batch norm and max pooling are cuDNN; on CUDA
 * the forward convolution runs in BF16 and FP16 NHWC too (mixed precision: tensor descriptors of those
 * types, FP32 weights converted on the device). Every op runs even when an earlier one failed, so one call of
 * {@code BackendInfo --smoke cuda} on a GPU machine tells what works and what does not. It is no
 * substitute for the test suite (whose float64 references cover every shape class and backward);
 * it is what to run first when device time is short.
 */
public final class Smoke {
    /**
     * One op's outcome: {@code detail} is the largest error seen, or the failure.
     *
     * @param op what ran, such as "conv forward"
     * @param ok whether it ran and its largest scaled error was within tolerance
     * @param detail "max error ..." or the exception's first line
     * @param millis wall time of the op, synchronized, in milliseconds
     */
    public record Result(String op, boolean ok, String detail, double millis) {
        @Override
        public String toString() {
            return "smoke " + op + ": " + (ok ? "OK " : "BAD ") + detail + String.format(" (%.1f ms)", millis);
        }
    }

    /** Absolute-plus-relative tolerance: FP32 accumulation over at most a few hundred terms. */
    static final double TOLERANCE = 1e-4;

    private final Backend backend;
    private final SplittableRandom rnd = new SplittableRandom(2026);
    private final List<Tensor> owned = new ArrayList<>();

    private Smoke(Backend backend) {
        this.backend = backend;
    }

    /**
     * Runs every op on {@code backend}; never throws for a failing op. Tensors it allocates are closed
     * after each op; the backend stays the caller's.
     *
     * @param backend the backend to try
     * @return one result per op, in the order run
     */
    public static List<Result> run(Backend backend) {
        List<Result> results = new ArrayList<>();
        run(backend, results::add);
        return results;
    }

    /**
     * The same, handing each result over as soon as its op has finished.
     *
     * @param backend the backend to try
     * @param each called with each op's result, on the calling thread
     */
    public static void run(Backend backend, Consumer<Result> each) {
        Smoke s = new Smoke(backend);
        each.accept(s.check("fill+download", s::fill));
        each.accept(s.check("add", s::add));
        each.accept(s.check("dense forward", s::dense));
        Conv2dOp conv = new Conv2dOp(Shape.nchw(2, 3, 9, 9), 4, Size2.of(3), Size2.of(1), Padding.SAME, true);
        each.accept(s.check("conv forward", () -> s.convForward(conv)));
        each.accept(s.check("conv backward data", () -> s.convBackwardData(conv)));
        each.accept(s.check("conv backward filter", () -> s.convBackwardFilter(conv)));
        BatchNorm bn = BatchNorm.of(Shape.nchw(4, 3, 5, 5));
        each.accept(s.check("batch norm training", () -> s.batchNorm(bn, false)));
        each.accept(s.check("batch norm + relu training (fused)", () -> s.batchNorm(bn, true)));
        each.accept(s.check("max pool forward", s::maxPool));
        each.accept(s.check("softmax cross-entropy", s::softmaxCrossEntropy));
        each.accept(s.check("adam step", s::adam));
        each.accept(s.check("clip by global norm", s::clipByGlobalNorm));
        if (backend.name().equals("cuda")) {
            // mixed precision: BF16 and FP16 activations in NHWC, FP32 weights converted on the device
            for (Precision p : List.of(Precision.BF16, Precision.FP16)) {
                each.accept(s.check("conv forward " + p.option() + " NHWC", halfTolerance(p),
                        () -> s.convForwardHalf(conv, p)));
            }
        }
    }

    /**
     * The largest scaled error a half-precision convolution of {@link #run}'s shape may show: inputs
     * and output rounded to the type (2^-9 relative for BF16, 2^-12 for FP16) over 27 taps of
     * magnitude below 1, with a margin of four.
     */
    static double halfTolerance(Precision p) {
        return p == Precision.FP16 ? 1e-2 : 5e-2;
    }

    /** Runs one op, synchronized and timed; its error, or its exception, becomes the result. */
    private Result check(String op, Check c) {
        return check(op, TOLERANCE, c);
    }

    /** As above with the op's own tolerance. */
    private Result check(String op, double tolerance, Check c) {
        long t0 = System.nanoTime();
        try {
            double error = c.run();
            backend.synchronize();
            double ms = (System.nanoTime() - t0) / 1e6;
            boolean ok = error <= tolerance;
            return new Result(op, ok, String.format("max error %.2e%s", error, ok ? "" : " > " + tolerance), ms);
        } catch (Throwable e) {
            String m = e.toString();
            int nl = m.indexOf('\n');
            return new Result(op, false, nl < 0 ? m : m.substring(0, nl), (System.nanoTime() - t0) / 1e6);
        } finally {
            for (Tensor t : owned) {
                try {
                    t.close();
                } catch (Throwable ignored) {
                    // a failed op may leave the device unusable; report the op, not the cleanup
                }
            }
            owned.clear();
        }
    }

    @FunctionalInterface
    private interface Check {
        /** The largest scaled error against the host result. */
        double run();
    }

    // ---- the ops

    private double fill() {
        Tensor t = tensor(Shape.of(4099));
        backend.fill(t, 1.25f);
        return error(constant(4099, 1.25), download(t));
    }

    private double add() {
        float[] a = random(4099);
        float[] b = random(4099);
        Tensor y = tensor(Shape.of(4099));
        backend.add(upload(Shape.of(4099), a), upload(Shape.of(4099), b), y);
        double[] expected = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            expected[i] = (double) a[i] + b[i];
        }
        return error(expected, download(y));
    }

    private double dense() {
        DenseOp op = new DenseOp(Shape.of(8, 33), 17, true);
        float[] x = random(8 * 33);
        float[] w = random(33 * 17);
        float[] bias = random(17);
        Tensor y = tensor(op.outputShape());
        backend.denseForward(op, upload(op.input(), x), upload(op.weightShape(), w), upload(op.biasShape(), bias), y);
        double[] expected = new double[8 * 17];
        for (int n = 0; n < 8; n++) {
            for (int j = 0; j < 17; j++) {
                double s = bias[j];
                for (int i = 0; i < 33; i++) {
                    s += (double) x[n * 33 + i] * w[i * 17 + j];
                }
                expected[n * 17 + j] = s;
            }
        }
        return error(expected, download(y));
    }

    private double convForward(Conv2dOp op) {
        float[] x = random(op.input().size());
        float[] w = random(op.weightShape().size());
        float[] bias = random(op.filters());
        Tensor y = tensor(op.outputShape());
        backend.conv2dForward(op, upload(op.input(), x), upload(op.weightShape(), w), upload(op.biasShape(), bias), y);
        Shape o = op.outputShape();
        double[] expected = new double[(int) o.size()];
        forEachTap(op, (n, f, oy, ox, c, iy, ix, ky, kx) ->
                expected[index(o, n, f, oy, ox)] += (double) x[index(op.input(), n, c, iy, ix)]
                        * w[index(op.weightShape(), f, c, ky, kx)]);
        for (int i = 0; i < expected.length; i++) {
            expected[i] += bias[(int) (i / (o.dim(2) * o.dim(3)) % op.filters())];
        }
        return error(expected, download(y));
    }

    /** The forward convolution with x and y in precision p's type in NHWC (uploads and downloads convert). */
    private double convForwardHalf(Conv2dOp op, Precision p) {
        float[] x = random(op.input().size());
        float[] w = random(op.weightShape().size());
        float[] bias = random(op.filters());
        Layout layout = backend.activationLayout(p);
        Tensor xt = tensor(op.input(), p.activations(), layout);
        backend.upload(x, xt);
        Tensor y = tensor(op.outputShape(), p.activations(), layout);
        backend.conv2dForward(op, xt, upload(op.weightShape(), w), upload(op.biasShape(), bias), y);
        float[] held = download(xt); // x as the device holds it, rounded to the type
        Shape o = op.outputShape();
        double[] expected = new double[(int) o.size()];
        forEachTap(op, (n, f, oy, ox, c, iy, ix, ky, kx) ->
                expected[index(o, n, f, oy, ox)] += (double) held[index(op.input(), n, c, iy, ix)]
                        * w[index(op.weightShape(), f, c, ky, kx)]);
        for (int i = 0; i < expected.length; i++) {
            expected[i] += bias[(int) (i / (o.dim(2) * o.dim(3)) % op.filters())];
        }
        return error(expected, download(y));
    }

    private double convBackwardData(Conv2dOp op) {
        float[] dy = random(op.outputShape().size());
        float[] w = random(op.weightShape().size());
        Tensor dx = tensor(op.input());
        backend.conv2dBackwardData(op, upload(op.outputShape(), dy), upload(op.weightShape(), w), dx);
        double[] expected = new double[(int) op.input().size()];
        forEachTap(op, (n, f, oy, ox, c, iy, ix, ky, kx) ->
                expected[index(op.input(), n, c, iy, ix)] += (double) dy[index(op.outputShape(), n, f, oy, ox)]
                        * w[index(op.weightShape(), f, c, ky, kx)]);
        return error(expected, download(dx));
    }

    private double convBackwardFilter(Conv2dOp op) {
        float[] x = random(op.input().size());
        float[] dy = random(op.outputShape().size());
        Tensor dw = tensor(op.weightShape());
        Tensor dbias = tensor(op.biasShape());
        backend.conv2dBackwardFilter(op, upload(op.input(), x), upload(op.outputShape(), dy), dw, dbias);
        double[] expected = new double[(int) op.weightShape().size()];
        forEachTap(op, (n, f, oy, ox, c, iy, ix, ky, kx) ->
                expected[index(op.weightShape(), f, c, ky, kx)] += (double) x[index(op.input(), n, c, iy, ix)]
                        * dy[index(op.outputShape(), n, f, oy, ox)]);
        Shape o = op.outputShape();
        double[] expectedBias = new double[op.filters()];
        for (int i = 0; i < dy.length; i++) {
            expectedBias[(int) (i / (o.dim(2) * o.dim(3)) % op.filters())] += dy[i];
        }
        return Math.max(error(expected, download(dw)), error(expectedBias, download(dbias)));
    }

    private double batchNorm(BatchNorm op, boolean relu) {
        Shape s = op.input();
        int c = s.intDim(1);
        long hw = s.dim(2) * s.dim(3);
        float[] x = random(s.size());
        float[] gamma = random(c);
        float[] beta = random(c);
        float[] mean0 = random(c);
        float[] var0 = constant(c, 0.5f);
        BatchNormParams p = new BatchNormParams(upload(Shape.of(c), gamma), upload(Shape.of(c), beta),
                upload(Shape.of(c), mean0), upload(Shape.of(c), var0));
        Tensor y = tensor(s);
        Tensor saved = tensor(op.savedShape());
        if (relu) {
            backend.batchNormReluForwardTraining(op, upload(s, x), p, y, saved);
        } else {
            backend.batchNormForwardTraining(op, upload(s, x), p, y, saved);
        }
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int i = 0; i < x.length; i++) {
            mean[(int) (i / hw % c)] += x[i] / (double) (s.dim(0) * hw);
        }
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - mean[(int) (i / hw % c)];
            var[(int) (i / hw % c)] += d * d / (s.dim(0) * hw);
        }
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (int) (i / hw % c);
            double v = gamma[ch] * (x[i] - mean[ch]) / Math.sqrt(var[ch] + op.epsilon()) + beta[ch];
            expected[i] = relu ? Math.max(0, v) : v;
        }
        double[] movingMean = new double[c];
        double[] movingVar = new double[c];
        for (int ch = 0; ch < c; ch++) {
            movingMean[ch] = mean0[ch] * op.momentum() + mean[ch] * (1 - op.momentum());
            movingVar[ch] = var0[ch] * op.momentum() + var[ch] * (1 - op.momentum());
        }
        return max(error(expected, download(y)), error(movingMean, download(p.movingMean())),
                error(movingVar, download(p.movingVariance())));
    }

    private double maxPool() {
        Pool2d op = Pool2d.max(Shape.nchw(2, 3, 8, 8), 2);
        float[] x = random(op.input().size());
        Tensor y = tensor(op.outputShape());
        backend.pool2dForward(op, upload(op.input(), x), y);
        Shape o = op.outputShape();
        double[] expected = new double[(int) o.size()];
        java.util.Arrays.fill(expected, Double.NEGATIVE_INFINITY);
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int iy = 0; iy < 8; iy++) {
                    for (int ix = 0; ix < 8; ix++) {
                        int k = index(o, n, c, iy / 2, ix / 2);
                        expected[k] = Math.max(expected[k], x[index(op.input(), n, c, iy, ix)]);
                    }
                }
            }
        }
        return error(expected, download(y));
    }

    private double softmaxCrossEntropy() {
        int n = 8;
        int k = 10;
        SoftmaxCrossEntropy op = new SoftmaxCrossEntropy(Shape.of(n, k), true);
        float[] logits = random(n * k);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rnd.nextInt(k);
        }
        Tensor labelTensor = tensor(Shape.of(n), DType.INT32);
        backend.upload(labels, labelTensor);
        Tensor probs = tensor(op.logits());
        Tensor dlogits = tensor(op.logits());
        float loss = backend.softmaxCrossEntropy(op, upload(op.logits(), logits), labelTensor, 1f, probs, dlogits);
        double[] p = new double[n * k];
        double[] d = new double[n * k];
        double expectedLoss = 0;
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, logits[r * k + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(logits[r * k + j] - max);
            }
            for (int j = 0; j < k; j++) {
                p[r * k + j] = Math.exp(logits[r * k + j] - max) / sum;
                d[r * k + j] = (p[r * k + j] - (j == labels[r] ? 1 : 0)) / n;
            }
            expectedLoss -= Math.log(p[r * k + labels[r]]) / n;
        }
        return max(error(p, download(probs)), error(d, download(dlogits)),
                error(new double[] {expectedLoss}, new float[] {loss}));
    }

    private double adam() {
        int size = 1000;
        Adam op = Adam.keras().withWeightDecay(0.5f); // AdamW: the decay's argument reaches the kernel
        float[] param = random(size);
        float[] grad = random(size);
        float[] m = random(size);
        float[] v = constant(size, 0.25f);
        Tensor pt = upload(Shape.of(size), param);
        Tensor mt = upload(Shape.of(size), m);
        Tensor vt = upload(Shape.of(size), v);
        long step = 3;
        backend.adamUpdate(op, step, pt, upload(Shape.of(size), grad), mt, vt);
        double[] p = new double[size];
        double[] m1 = new double[size];
        double[] v1 = new double[size];
        for (int i = 0; i < size; i++) {
            m1[i] = op.beta1() * (double) m[i] + (1 - op.beta1()) * (double) grad[i];
            v1[i] = op.beta2() * (double) v[i] + (1 - op.beta2()) * (double) grad[i] * grad[i];
            p[i] = param[i] - op.decay() * (double) param[i] - op.stepSize(step) * m1[i] / (Math.sqrt(v1[i]) + op.epsilon());
        }
        return max(error(p, download(pt)), error(m1, download(mt)), error(v1, download(vt)));
    }

    /** Three tensors' sum of squares (one launch on CUDA) and their rescale by the clipping factor. */
    private double clipByGlobalNorm() {
        int[] sizes = {1000, 7, 1};
        List<Tensor> tensors = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        double sum = 0;
        for (int n : sizes) {
            float[] x = random(n);
            values.add(x);
            tensors.add(upload(Shape.of(n), x));
            for (float v : x) {
                sum += (double) v * v;
            }
        }
        double got = backend.sumOfSquares(tensors);
        float factor = 0.25f;
        backend.scale(tensors, factor);
        double worst = error(new double[] {sum}, new float[] {(float) got});
        for (int t = 0; t < sizes.length; t++) {
            double[] expected = new double[sizes[t]];
            for (int i = 0; i < sizes[t]; i++) {
                expected[i] = (double) values.get(t)[i] * factor;
            }
            worst = max(worst, error(expected, download(tensors.get(t))));
        }
        return worst;
    }

    // ---- host side

    @FunctionalInterface
    private interface Tap {
        void accept(int n, int f, int oy, int ox, int c, int iy, int ix, int ky, int kx);
    }

    /** Every (output, input, weight) triple of a convolution whose input cell lies inside the image. */
    private static void forEachTap(Conv2dOp op, Tap tap) {
        Shape in = op.input();
        Shape out = op.outputShape();
        Pads pads = op.pads();
        for (int n = 0; n < out.dim(0); n++) {
            for (int f = 0; f < op.filters(); f++) {
                for (int oy = 0; oy < out.dim(2); oy++) {
                    for (int ox = 0; ox < out.dim(3); ox++) {
                        for (int c = 0; c < in.dim(1); c++) {
                            for (int ky = 0; ky < op.kernel().h(); ky++) {
                                for (int kx = 0; kx < op.kernel().w(); kx++) {
                                    int iy = oy * op.stride().h() + ky - pads.top();
                                    int ix = ox * op.stride().w() + kx - pads.left();
                                    if (iy >= 0 && iy < in.dim(2) && ix >= 0 && ix < in.dim(3)) {
                                        tap.accept(n, f, oy, ox, c, iy, ix, ky, kx);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static int index(Shape s, int a, int b, int c, int d) {
        return (int) (((a * s.dim(1) + b) * s.dim(2) + c) * s.dim(3) + d);
    }

    /** The largest |expected - actual| / max(1, |expected|); NaN anywhere counts as infinite. */
    private static double error(double[] expected, float[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.abs(expected[i] - actual[i]) / Math.max(1, Math.abs(expected[i]));
            worst = Double.isNaN(e) ? Double.POSITIVE_INFINITY : Math.max(worst, e);
        }
        return worst;
    }

    private static double max(double... errors) {
        double m = 0;
        for (double e : errors) {
            m = Math.max(m, e);
        }
        return m;
    }

    private float[] random(long n) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
        }
        return a;
    }

    private static float[] constant(int n, float value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    private static double[] constant(int n, double value) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    private Tensor tensor(Shape s) {
        return tensor(s, DType.FP32);
    }

    private Tensor tensor(Shape s, DType type) {
        Tensor t = backend.allocate(s, type);
        owned.add(t);
        return t;
    }

    private Tensor tensor(Shape s, DType type, Layout layout) {
        Tensor t = backend.allocate(s, type, layout);
        owned.add(t);
        return t;
    }

    private Tensor upload(Shape s, float[] values) {
        Tensor t = tensor(s);
        backend.upload(values, t);
        return t;
    }

    private float[] download(Tensor t) {
        float[] out = new float[Math.toIntExact(t.size())];
        backend.download(t, out);
        return out;
    }
}
