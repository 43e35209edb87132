package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.backend.cpu.CpuBackend;
import org.convnet4j.graph.Precision;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Concat;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.DropoutOp;
import org.convnet4j.ops.GlobalAvgPool;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.Size2;
import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.reference.BatchNormReference;
import org.convnet4j.reference.ConcatReference;
import org.convnet4j.reference.ConvReference;
import org.convnet4j.reference.ElementwiseReference;
import org.convnet4j.reference.PoolReference;
import org.convnet4j.reference.ZeroPadReference;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every primitive an execution plan runs on image activations, with those activations stored as the
 * plan stores them: FP32 channels-last (the CPU's layout for fp32) and BF16 channels-last (precision
 * bf16), against the float64 references given exactly the values the backend holds (inputs rounded
 * to the tensor's type, read back). Parameters and their gradients stay FP32 NCHW as in training.
 *
 * <p>Tolerances. FP32 NHWC: those of the FP32 NCHW suite ({@link Tolerance}). BF16: the output is
 * rounded to 8 significant bits (half an ulp is 2^-9 relative) after an FP32 accumulation, and where
 * an element is a difference of larger terms (a normalized value, a convolution of mixed signs) that
 * rounding is relative to the terms, not to the result; so {@code |a - e| <= 2^-8 (|e| + scale)},
 * scale the largest |expected| of the tensor. One ulp of slack over the rounding itself covers the
 * FP32 accumulation and an intermediate rounding (dy rounded to BF16 before a backward reads it). A
 * wrong tap, channel or layout index is off by O(0.1 scale) or more.
 *
 * <p>FP16 (CUDA only): 11 significant bits, so the same rule with 2^-11 for 2^-8. Its range is
 * narrow (largest 65504, normal down to 2^-14): the test data keep every expected magnitude below
 * 2^12 (checked), and values in the subnormal range are covered by the absolute term, 2^-11 times
 * the tensor's scale. Where a weight gradient comes back in FP16 or BF16 (cuDNN writes dW in the
 * filter's type before it is converted to FP32) it is checked at the storage's tolerance.
 *
 * <p>CUDA runs its mixed precision here (BF16 and FP16, NHWC), skipped visibly where no GPU is
 * present; until a GPU has run them, its cases are written but unverified.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MixedPrecisionTest {
    private static final double BF16_ULP = 0x1p-8;
    private static final double FP16_ULP = 0x1p-11;

    /** A storage format of image activations under test, on the backend that keeps it. */
    enum Storage {
        FP32_NHWC("cpu", DType.FP32), BF16_NHWC("cpu", DType.BF16), CUDA_BF16_NHWC("cuda", DType.BF16),
        CUDA_FP16_NHWC("cuda", DType.FP16);

        final String backend;
        final DType dtype;

        Storage(String backend, DType dtype) {
            this.backend = backend;
            this.dtype = dtype;
        }
    }

    private CpuBackend cpu;
    private Backend cuda;

    /** The backend of storage s (skipping where it is unavailable, or bf16 without native support on the CPU). */
    private Backend cpu(Storage s) {
        if (s.backend.equals("cuda")) {
            if (cuda == null) {
                cuda = BackendCases.open("cuda");
            }
            return cuda;
        }
        if (cpu == null) {
            Backend b = BackendCases.open("cpu");
            cpu = (CpuBackend) b;
        }
        assumeTrue(s.dtype != DType.BF16 || CpuBackend.nativeBf16(),
                "[cpu] no native bfloat16 here (oneDNN ISA " + CpuBackend.isaName() + "): bf16 cases skipped");
        return cpu;
    }

    @AfterAll
    void close() {
        if (cpu != null) {
            cpu.close();
        }
        if (cuda != null) {
            cuda.close();
        }
    }

    static Stream<Storage> storages() {
        return Stream.of(Storage.values());
    }

    /** Tensors of one case, closed together. */
    private static final class Scope implements AutoCloseable {
        final Backend be;
        final List<Tensor> owned = new ArrayList<>();

        Scope(Backend be) {
            this.be = be;
        }

        Tensor own(Tensor t) {
            owned.add(t);
            return t;
        }

        /** An activation in storage s holding values (rounded to s's type). */
        Tensor image(Storage s, Shape shape, double[] values) {
            Tensor t = own(be.allocate(shape, s.dtype, Layout.NHWC));
            be.upload(toFloat(values), t);
            return t;
        }

        /** An activation in storage s, every element NaN until written. */
        Tensor imageOut(Storage s, Shape shape) {
            Tensor t = own(be.allocate(shape, s.dtype, Layout.NHWC));
            be.fill(t, Float.NaN);
            return t;
        }

        Tensor plain(Shape shape, double[] values) {
            Tensor t = own(be.allocate(shape));
            be.upload(toFloat(values), t);
            return t;
        }

        Tensor plainOut(Shape shape) {
            Tensor t = own(be.allocate(shape));
            be.fill(t, Float.NaN);
            return t;
        }

        double[] read(Tensor t) {
            float[] f = new float[Math.toIntExact(t.size())];
            be.download(t, f);
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }

        @Override
        public void close() {
            owned.forEach(Tensor::close);
        }
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** The tolerance of a result in storage s that reduces r terms (1 for element-wise). */
    private static Tolerance tolerance(Storage s, long r, double[] expected) {
        if (s.dtype == DType.FP32) {
            return r <= 1 ? Tolerance.ELEMENTWISE : Tolerance.reduction(r);
        }
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double ulp = ulp(s);
        if (s.dtype == DType.FP16) {
            assertTrue(scale < 0x1p12, "fp16 test data must stay far inside half's range (65504): scale " + scale);
        }
        return new Tolerance(ulp * scale + 1e-5 * Math.sqrt(r), ulp);
    }

    /** Twice the relative rounding error of storage s's type: 2^-8 for BF16, 2^-11 for FP16. */
    private static double ulp(Storage s) {
        return s.dtype == DType.FP16 ? FP16_ULP : BF16_ULP;
    }

    private static void check(String what, Storage s, Shape shape, long r, double[] expected, double[] actual) {
        Compare.assertClose(what + " [" + s + "]", shape, expected, actual, tolerance(s, r, expected));
    }

    // ---- Convolution --------------------------------------------------------------------------------

    static Stream<Conv2dOp> convs() {
        return Stream.of(
                new Conv2dOp(Shape.nchw(2, 3, 9, 9), 8, Size2.of(3), Size2.of(1), Padding.SAME, true),
                new Conv2dOp(Shape.nchw(2, 16, 8, 8), 16, Size2.of(3), Size2.of(2), Padding.SAME, false),
                new Conv2dOp(Shape.nchw(3, 32, 5, 5), 24, Size2.of(1), Size2.of(1), Padding.VALID, true));
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> convCases() {
        return convs().flatMap(op -> storages().map(s -> org.junit.jupiter.params.provider.Arguments.of(op, s)));
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("convCases")
    void convolutionForwardBackwardDataAndFilter(Conv2dOp op, Storage s) {
        Backend be = cpu(s);
        SplittableRandom rnd = TestData.random(op);
        try (Scope sc = new Scope(be)) {
            Tensor x = sc.image(s, op.input(), TestData.uniform(rnd, op.input(), -1, 1));
            Tensor w = sc.plain(op.weightShape(), TestData.uniform(rnd, op.weightShape(), -0.5, 0.5));
            Tensor b = op.bias() ? sc.plain(op.biasShape(), TestData.uniform(rnd, op.biasShape(), -0.5, 0.5)) : null;
            Tensor y = sc.imageOut(s, op.outputShape());
            Tensor dy = sc.image(s, op.outputShape(), TestData.uniform(rnd, op.outputShape(), -1, 1));
            Tensor dx = sc.imageOut(s, op.input());
            Tensor dw = sc.plainOut(op.weightShape());
            Tensor db = op.bias() ? sc.plainOut(op.biasShape()) : null;
            be.conv2dForward(op, x, w, b, y);
            be.conv2dBackwardData(op, dy, w, dx);
            be.conv2dBackwardFilter(op, x, dy, dw, db);

            // The references see exactly what the backend holds: x and dy as rounded to s's type, and
            // the weights as a BF16 convolution reads them (rounded too) where s is BF16.
            double[] xs = sc.read(x);
            double[] dys = sc.read(dy);
            double[] ws = roundTo(s, sc.read(w));
            long taps = (long) op.kernel().h() * op.kernel().w() * op.input().dim(1);
            check("conv forward " + op, s, op.outputShape(), taps,
                    ConvReference.forward(op, xs, ws, b == null ? null : sc.read(b)), sc.read(y));
            check("conv backward data " + op, s, op.input(), (long) op.kernel().h() * op.kernel().w() * op.filters(),
                    ConvReference.backwardData(op, dys, ws), sc.read(dx));
            long perFilter = op.outputShape().size() / op.filters();
            // Weight gradients on the CPU are FP32 from BF16 inputs: an FP32 reduction of exact products;
            // cuDNN writes them in the filter's type first (rounded once, then converted to FP32).
            Storage dwStorage = s.backend.equals("cpu") && s.dtype == DType.BF16 ? Storage.FP32_NHWC : s;
            check("conv backward filter " + op, dwStorage, op.weightShape(),
                    perFilter, ConvReference.backwardFilter(op, xs, dys), sc.read(dw));
            if (db != null) {
                check("conv backward bias " + op, Storage.FP32_NHWC, op.biasShape(), perFilter,
                        ConvReference.backwardBias(op, dys), sc.read(db));
            }
        }
    }

    /** Values as a tensor of s's type holds them (FP32: unchanged; BF16, FP16: rounded to nearest even). */
    private double[] roundTo(Storage s, double[] v) {
        if (s.dtype == DType.FP32) {
            return v;
        }
        try (Scope sc = new Scope(cpu(s))) {
            Shape shape = Shape.nchw(1, 1, 1, v.length);
            return sc.read(sc.image(s, shape, v));
        }
    }

    // ---- Pooling ------------------------------------------------------------------------------------

    static Stream<org.junit.jupiter.params.provider.Arguments> poolCases() {
        Stream<Pool2d> pools = Stream.of(
                Pool2d.max(Shape.nchw(2, 5, 8, 8), 2),
                Pool2d.max(Shape.nchw(2, 16, 9, 9), 3).withStride(2).withPadding(Padding.SAME),
                Pool2d.average(Shape.nchw(2, 6, 8, 8), 2),
                Pool2d.average(Shape.nchw(1, 16, 7, 7), 3).withStride(1).withPadding(Padding.SAME),
                // "same" padding cuDNN cannot express (0 before, 1 after): CUDA's direct NHWC kernels
                Pool2d.max(Shape.nchw(2, 8, 8, 8), 3).withStride(2).withPadding(Padding.SAME),
                Pool2d.average(Shape.nchw(2, 8, 8, 8), 3).withStride(2).withPadding(Padding.SAME));
        return pools.flatMap(op -> storages().map(s -> org.junit.jupiter.params.provider.Arguments.of(op, s)));
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("poolCases")
    void poolingForwardAndBackward(Pool2d op, Storage s) {
        Backend be = cpu(s);
        SplittableRandom rnd = TestData.random(op);
        try (Scope sc = new Scope(be)) {
            // Distinct values per window so that the max has one argmax.
            Tensor x = sc.image(s, op.input(), TestData.distinctPerPlane(rnd, op.input(), 0.05));
            Tensor y = sc.imageOut(s, op.outputShape());
            Tensor dy = sc.image(s, op.outputShape(), TestData.uniform(rnd, op.outputShape(), -1, 1));
            Tensor dx = sc.imageOut(s, op.input());
            be.pool2dForward(op, x, y);
            be.pool2dBackward(op, x, y, dy, dx);
            double[] xs = sc.read(x);
            long window = (long) op.window().h() * op.window().w();
            check("pool forward " + op, s, op.outputShape(), window, PoolReference.forward(op, xs), sc.read(y));
            check("pool backward " + op, s, op.input(), window, PoolReference.backward(op, xs, sc.read(dy)),
                    sc.read(dx));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("storages")
    void globalAveragePoolReadsImagesAndWritesFp32Features(Storage s) {
        Backend be = cpu(s);
        GlobalAvgPool op = new GlobalAvgPool(Shape.nchw(3, 20, 6, 5));
        SplittableRandom rnd = TestData.random(op);
        try (Scope sc = new Scope(be)) {
            Tensor x = sc.image(s, op.input(), TestData.uniform(rnd, op.input(), -1, 1));
            Tensor y = sc.plainOut(op.outputShape());
            Tensor dy = sc.plain(op.outputShape(), TestData.uniform(rnd, op.outputShape(), -1, 1));
            Tensor dx = sc.imageOut(s, op.input());
            be.globalAvgPoolForward(op, x, y);
            be.globalAvgPoolBackward(op, dy, dx);
            check("global avg forward", s, op.outputShape(), 30, PoolReference.globalAvgForward(op, sc.read(x)),
                    sc.read(y));
            check("global avg backward", s, op.input(), 1, PoolReference.globalAvgBackward(op, sc.read(dy)),
                    sc.read(dx));
        }
    }

    // ---- Batch normalization ----------------------------------------------------------------------

    static Stream<org.junit.jupiter.params.provider.Arguments> batchNormCases() {
        Stream<BatchNorm> ops = Stream.of(BatchNorm.of(Shape.nchw(2, 3, 7, 9)),
                new BatchNorm(Shape.nchw(4, 16, 14, 14), 1e-3f, 0.5f), BatchNorm.of(Shape.nchw(1, 40, 5, 5)));
        return ops.flatMap(op -> storages().map(s -> org.junit.jupiter.params.provider.Arguments.of(op, s)));
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("batchNormCases")
    void batchNormTrainingForwardAndBackward(BatchNorm op, Storage s) {
        Backend be = cpu(s);
        BatchNormTest.Inputs in = BatchNormTest.Inputs.of(op);
        Shape c = op.paramShape();
        try (Scope sc = new Scope(be)) {
            Tensor x = sc.image(s, op.input(), in.x());
            BatchNormParams p = new BatchNormParams(sc.plain(c, in.gamma()), sc.plain(c, in.beta()),
                    sc.plain(c, in.movingMean()), sc.plain(c, in.movingVariance()));
            Tensor y = sc.imageOut(s, op.input());
            Tensor saved = sc.plainOut(op.savedShape());
            be.batchNormForwardTraining(op, x, p, y, saved);
            double[] xs = sc.read(x);
            BatchNormReference.Training ref = BatchNormReference.forwardTraining(op, xs, in.gamma(), in.beta(),
                    in.movingMean(), in.movingVariance());
            long r = op.input().size() / op.channels();
            check("bn forward y " + op, s, op.input(), r, ref.y(), sc.read(y));
            double[] st = sc.read(saved);
            int k = op.channels();
            // Statistics are FP32 from the held values whatever the storage.
            check("bn mean " + op, Storage.FP32_NHWC, c, r, ref.mean(), java.util.Arrays.copyOfRange(st, 0, k));
            check("bn variance " + op, Storage.FP32_NHWC, c, r, ref.variance(), java.util.Arrays.copyOfRange(st, k, 2 * k));

            Tensor dy = sc.image(s, op.input(), in.r());
            Tensor dx = sc.imageOut(s, op.input());
            Tensor dgamma = sc.plainOut(c);
            Tensor dbeta = sc.plainOut(c);
            be.batchNormBackward(op, x, dy, p, saved, dx, dgamma, dbeta);
            BatchNormReference.Gradients g = BatchNormReference.backward(op, xs, sc.read(dy), in.gamma(), ref.mean(),
                    ref.variance());
            check("bn backward dx " + op, s, op.input(), r, g.dx(), sc.read(dx));
            check("bn dgamma " + op, Storage.FP32_NHWC, c, r, g.dgamma(), sc.read(dgamma));
            check("bn dbeta " + op, Storage.FP32_NHWC, c, r, g.dbeta(), sc.read(dbeta));
        }
    }

    /**
     * The fused forms against their unfused composition in the same storage: relu(bn(x)) and
     * relu(bn(x) + residual), forward and backward (the fused backward masks by the fused output).
     */
    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("batchNormCases")
    void fusedBatchNormEqualsItsComposition(BatchNorm op, Storage s) {
        Backend be = cpu(s);
        BatchNormTest.Inputs in = BatchNormTest.Inputs.of(op);
        SplittableRandom rnd = TestData.random(op.toString() + "residual");
        Shape c = op.paramShape();
        Shape shape = op.input();
        try (Scope sc = new Scope(be)) {
            Tensor x = sc.image(s, shape, in.x());
            Tensor res = sc.image(s, shape, TestData.uniform(rnd, shape, -1, 1));
            BatchNormParams p = new BatchNormParams(sc.plain(c, in.gamma()), sc.plain(c, in.beta()),
                    sc.plain(c, in.movingMean()), sc.plain(c, in.movingVariance()));
            // Unfused forward: bn, add, relu.
            Tensor bn = sc.imageOut(s, shape);
            Tensor saved = sc.plainOut(op.savedShape());
            be.batchNormForwardTraining(op, x, p, bn, saved);
            Tensor sum = sc.imageOut(s, shape);
            be.add(bn, res, sum);
            Tensor out = sc.imageOut(s, shape);
            be.reluForward(sum, out);
            // Fused forward.
            Tensor fy = sc.imageOut(s, shape);
            Tensor fsaved = sc.plainOut(op.savedShape());
            be.batchNormAddReluForwardTraining(op, x, res, p, fy, fsaved);
            // Where bn(x) + residual is within the storage's rounding of 0 the two paths may disagree on
            // the relu mask (the unfused one rounded bn(x) before the add): dy is 0 at those few
            // elements, so that the backward passes see the same masked gradient.
            double[] pre = sc.read(sum);
            double[] g = in.r().clone();
            double near = s.dtype != DType.FP32 ? 2 * ulp(s) * maxAbs(pre) : 0;
            int zeroed = 0;
            for (int i = 0; i < pre.length; i++) {
                if (Math.abs(pre[i]) <= near) {
                    g[i] = 0;
                    zeroed++;
                }
            }
            assertTrue(zeroed < pre.length / 50, zeroed + " of " + pre.length + " elements at the relu boundary");
            Tensor dy = sc.image(s, shape, g);
            // Unfused backward: relu mask, then bn backward.
            Tensor masked = sc.imageOut(s, shape);
            be.reluBackward(out, dy, masked);
            Tensor dx = sc.imageOut(s, shape);
            Tensor dg = sc.plainOut(c);
            Tensor db = sc.plainOut(c);
            be.batchNormBackward(op, x, masked, p, saved, dx, dg, db);
            // Fused backward.
            Tensor fdx = sc.imageOut(s, shape);
            Tensor fdr = sc.imageOut(s, shape);
            Tensor fdg = sc.plainOut(c);
            Tensor fdb = sc.plainOut(c);
            be.batchNormAddReluBackward(op, x, fy, dy, p, fsaved, fdx, fdr, fdg, fdb);
            long r = shape.size() / op.channels();
            // The unfused path rounds bn(x) to the storage type before the add: one more rounding.
            check("fused add-relu y " + op, s, shape, r, sc.read(out), sc.read(fy));
            check("fused add-relu dresidual " + op, s, shape, 1, sc.read(masked), sc.read(fdr));
            check("fused add-relu dx " + op, s, shape, r, sc.read(dx), sc.read(fdx));
            check("fused add-relu dgamma " + op, s, c, r, sc.read(dg), sc.read(fdg));
            check("fused add-relu dbeta " + op, Storage.FP32_NHWC, c, r, sc.read(db), sc.read(fdb));

            Tensor ry = sc.imageOut(s, shape);
            Tensor rsaved = sc.plainOut(op.savedShape());
            be.batchNormReluForwardTraining(op, x, p, ry, rsaved);
            Tensor unfused = sc.imageOut(s, shape);
            be.reluForward(bn, unfused);
            check("fused relu y " + op, s, shape, 1, sc.read(unfused), sc.read(ry));
        }
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    // ---- Element-wise, concat, zero padding, dropout ----------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("storages")
    void reluAddAndAccumulate(Storage s) {
        Backend be = cpu(s);
        Shape shape = Shape.nchw(2, 12, 5, 7);
        SplittableRandom rnd = TestData.random("elementwise" + s);
        try (Scope sc = new Scope(be)) {
            Tensor a = sc.image(s, shape, TestData.uniform(rnd, shape, -1, 1));
            Tensor b = sc.image(s, shape, TestData.uniform(rnd, shape, -1, 1));
            double[] as = sc.read(a);
            double[] bs = sc.read(b);
            Tensor y = sc.imageOut(s, shape);
            be.reluForward(a, y);
            check("relu", s, shape, 1, ElementwiseReference.relu(as), sc.read(y));
            Tensor dx = sc.imageOut(s, shape);
            be.reluBackward(y, b, dx);
            check("relu backward", s, shape, 1, ElementwiseReference.reluBackward(sc.read(y), bs), sc.read(dx));
            Tensor sum = sc.imageOut(s, shape);
            be.add(a, b, sum);
            check("add", s, shape, 1, ElementwiseReference.add(as, bs), sc.read(sum));
            be.accumulate(a, b);
            check("accumulate", s, shape, 1, ElementwiseReference.add(as, bs), sc.read(b));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("storages")
    void concatAndZeroPadMoveValuesExactly(Storage s) {
        Backend be = cpu(s);
        Concat op = Concat.of(Shape.nchw(2, 3, 4, 5), Shape.nchw(2, 16, 4, 5), Shape.nchw(2, 5, 4, 5));
        SplittableRandom rnd = TestData.random("concat" + s);
        try (Scope sc = new Scope(be)) {
            List<Tensor> xs = new ArrayList<>();
            List<double[]> held = new ArrayList<>();
            for (Shape in : op.inputs()) {
                Tensor t = sc.image(s, in, TestData.uniform(rnd, in, -1, 1));
                xs.add(t);
                held.add(sc.read(t));
            }
            Tensor y = sc.imageOut(s, op.outputShape());
            be.concatForward(op, xs, y);
            Compare.assertClose("concat [" + s + "]", op.outputShape(), ConcatReference.forward(op, held), sc.read(y),
                    Tolerance.EXACT);
            List<Tensor> dxs = new ArrayList<>();
            for (Shape in : op.inputs()) {
                dxs.add(sc.imageOut(s, in));
            }
            be.concatBackward(op, y, dxs);
            for (int i = 0; i < dxs.size(); i++) {
                Compare.assertClose("concat backward [" + s + "] " + i, op.inputs().get(i), held.get(i),
                        sc.read(dxs.get(i)), Tolerance.EXACT);
            }

            ZeroPad2d pad = new ZeroPad2d(Shape.nchw(2, 6, 5, 4), new Pads(1, 2, 3, 0));
            Tensor x = sc.image(s, pad.input(), TestData.uniform(rnd, pad.input(), -1, 1));
            Tensor py = sc.imageOut(s, pad.outputShape());
            be.zeroPad2dForward(pad, x, py);
            Compare.assertClose("zero pad [" + s + "]", pad.outputShape(), ZeroPadReference.forward(pad, sc.read(x)),
                    sc.read(py), Tolerance.EXACT);
            Tensor pdx = sc.imageOut(s, pad.input());
            be.zeroPad2dBackward(pad, py, pdx);
            Compare.assertClose("zero pad backward [" + s + "]", pad.input(),
                    ZeroPadReference.backward(pad, sc.read(py)), sc.read(pdx), Tolerance.EXACT);
        }
    }

    /** A channels-last tensor drops exactly the elements its NCHW twin drops (the mask follows the NCHW index). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("storages")
    void dropoutDropsTheSameElementsInEveryLayout(Storage s) {
        Backend be = cpu(s);
        DropoutOp op = new DropoutOp(Shape.nchw(3, 10, 6, 7), 0.4f, 1234);
        SplittableRandom rnd = TestData.random("dropout" + s);
        try (Scope sc = new Scope(be)) {
            double[] v = TestData.awayFromZero(rnd, op.input(), 0.1);
            Tensor x = sc.image(s, op.input(), v);
            Tensor y = sc.imageOut(s, op.input());
            be.dropoutForward(op, 5, x, y);
            Tensor px = sc.plain(op.input(), sc.read(x));
            Tensor py = sc.plainOut(op.input());
            be.dropoutForward(op, 5, px, py);
            check("dropout", s, op.input(), 1, sc.read(py), sc.read(y));
            double[] got = sc.read(y);
            int dropped = 0;
            for (double g : got) {
                dropped += g == 0 ? 1 : 0;
            }
            assertTrue(dropped > 0.3 * got.length && dropped < 0.5 * got.length, dropped + " of " + got.length);
        }
    }

    // ---- Conversions and refusals -----------------------------------------------------------------

    /** Conversions to BF16 (an upload: FP32 NCHW into BF16 NHWC) round to nearest even, subnormals included. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = Storage.class, names = {"BF16_NHWC", "CUDA_BF16_NHWC"})
    void bf16RoundsToNearestEvenAndKeepsNanAndInfinity(Storage s) {
        Backend be = cpu(s);
        float one = 1f;
        float halfUlp = 0x1p-8f; // exactly between 1 and the next bfloat16, 1 + 2^-7
        double[] v = {one + halfUlp, one + 3 * halfUlp, -2.5f, Float.NaN, Float.POSITIVE_INFINITY, 1e-40f, 65504f};
        double[] expected = {1.0, 1.0 + 4 * halfUlp, -2.5, Double.NaN, Double.POSITIVE_INFINITY,
                Float.intBitsToFloat(Float.floatToIntBits(1e-40f) + 0x8000 & 0xffff0000), 65536.0};
        try (Scope sc = new Scope(be)) {
            double[] got = sc.read(sc.image(s, Shape.nchw(1, 1, 1, v.length), v));
            for (int i = 0; i < v.length; i++) {
                assertEquals(expected[i], got[i], 0, "bf16(" + v[i] + ")");
            }
        }
    }

    /**
     * Conversions to FP16 on CUDA round to nearest even, flush what is below half the smallest
     * subnormal (2^-25) to zero, keep subnormals, overflow to infinity from 65520 up, and keep NaN.
     */
    @Test
    void fp16RoundsToNearestEvenWithinItsRange() {
        Backend be = cpu(Storage.CUDA_FP16_NHWC);
        double halfUlp = 0x1p-11; // exactly between 1 and the next half, 1 + 2^-10
        double[] v = {1 + halfUlp, 1 + 3 * halfUlp, -2.5, Double.NaN, 65504, 65519, 65520, 0x1p-24, 0x1p-26, 3 * 0x1p-25};
        double[] expected = {1.0, 1 + 4 * halfUlp, -2.5, Double.NaN, 65504, 65504, Double.POSITIVE_INFINITY, 0x1p-24,
                0, 0x1p-23};
        try (Scope sc = new Scope(be)) {
            double[] got = sc.read(sc.image(Storage.CUDA_FP16_NHWC, Shape.nchw(1, 1, 1, v.length), v));
            for (int i = 0; i < v.length; i++) {
                assertEquals(expected[i], got[i], 0, "fp16(" + v[i] + ")");
            }
        }
    }

    @Test
    void theCpuRefusesFp16AndBf16WithoutNativeSupport() {
        try (Backend cpuBackend = BackendCases.open("cpu")) {
            if (CpuBackend.nativeBf16()) {
                cpuBackend.checkPrecision(Precision.BF16); // accepted
            } else {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                        () -> cpuBackend.checkPrecision(Precision.BF16));
                assertTrue(e.getMessage().contains("AVX512_BF16"), e.getMessage());
            }
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> cpuBackend.checkPrecision(Precision.FP16));
            assertTrue(e.getMessage().contains("native f16"), e.getMessage());
            // FP16 tensors given to ops directly are refused too, before a loop could read them as FP32
            try (Tensor h = cpuBackend.allocate(Shape.nchw(1, 2, 3, 3), DType.FP16, Layout.NHWC)) {
                for (Runnable call : List.<Runnable>of(() -> cpuBackend.reluForward(h, h), () -> cpuBackend.fill(h, 0),
                        () -> cpuBackend.upload(new float[18], h))) {
                    IllegalArgumentException r = assertThrows(IllegalArgumentException.class, call::run);
                    assertTrue(r.getMessage().contains("computes no FP16"), r.getMessage());
                }
            }
            cpuBackend.checkPrecision(Precision.FP32);
            assertEquals(Layout.NHWC, cpuBackend.activationLayout(Precision.FP32));
        }
    }

    @Test
    void cudaTakesEveryPrecisionInItsOwnLayoutAndRefusesOtherFormats() {
        // Skips with BackendCases' reason where the CUDA runtime does not load.
        try (Backend cuda = BackendCases.open("cuda")) {
            for (Precision p : Precision.values()) {
                cuda.checkPrecision(p);
            }
            assertEquals(Layout.NCHW, cuda.activationLayout(Precision.FP32));
            assertEquals(Layout.NHWC, cuda.activationLayout(Precision.BF16));
            assertEquals(Layout.NHWC, cuda.activationLayout(Precision.FP16));
            try (Tensor t = cuda.allocate(Shape.nchw(1, 2, 3, 3), DType.FP32, Layout.NHWC)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cuda.fill(t, 0));
                assertTrue(e.getMessage().contains("FP32 NCHW, or BF16 or FP16 NHWC"), e.getMessage());
            }
        }
    }
}
