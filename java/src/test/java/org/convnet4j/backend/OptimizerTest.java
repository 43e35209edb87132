package org.convnet4j.backend;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.ops.Adam;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.reference.OptimizerReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * adamUpdate and sgdMomentumUpdate over several steps against {@link OptimizerReference}, checking the
 * parameters and the optimizer state after every step. Gradients span five decades so that Adam's
 * epsilon matters for some elements, and one Adam case has epsilon 0.1, where Keras' form
 * ({@code m / (sqrt(v) + eps)} with the bias correction folded into the step size) and PyTorch's
 * ({@code m_hat / (sqrt(v_hat) + eps)}) differ by far more than the tolerance. The AdamW cases
 * (decoupled weight decay, {@code p -= lr wd p} before the step) decay hard enough that leaving the
 * decay out, or applying it as an L2 term inside the gradient, misses the reference by far more than
 * the tolerance ({@link #theAdamWCasesWouldCatchAMissingDecay}).
 */
class OptimizerTest extends BackendSuite {

    record AdamCase(Adam op, int size, int steps) {
        @Override
        public String toString() {
            return String.format("adam(lr %s, beta1 %s, beta2 %s, epsilon %s, weight decay %s), %d params, %d steps",
                    op.learningRate(), op.beta1(), op.beta2(), op.epsilon(), op.weightDecay(), size, steps);
        }
    }

    record SgdCase(SgdMomentum op, int size, int steps) {
        @Override
        public String toString() {
            return String.format("sgd_momentum(lr %s, momentum %s), %d params, %d steps",
                    op.learningRate(), op.momentum(), size, steps);
        }
    }

    static Stream<Arguments> adamCases() {
        return BackendCases.crossed(Stream.of(
                new AdamCase(Adam.keras(), 1000, 10),
                new AdamCase(new Adam(0.1f, 0.5f, 0.9f, 0.1f), 37, 6),
                new AdamCase(new Adam(0.01f, 0.9f, 0.999f, 1e-7f), 1, 3)));
    }

    /** AdamW: decay strong enough to see (lr * wd of 0.01 to 0.05 a step), on one tensor and on a list. */
    static Stream<AdamCase> adamWCases() {
        return Stream.of(
                new AdamCase(Adam.keras().atRate(0.05f).withWeightDecay(0.2f), 1000, 10),
                new AdamCase(new Adam(0.1f, 0.5f, 0.9f, 0.1f, 0.5f), 37, 6));
    }

    static Stream<Arguments> adamCasesWithDecay() {
        return BackendCases.crossed(adamWCases());
    }

    static Stream<Arguments> sgdCases() {
        return BackendCases.crossed(Stream.of(
                new SgdCase(new SgdMomentum(0.01f, 0.9f), 1000, 10),
                new SgdCase(new SgdMomentum(0.5f, 0f), 17, 3),
                new SgdCase(new SgdMomentum(0.1f, 0.99f), 5, 5)));
    }

    /** Uniform in [-1, 1] times 10^-k, k uniform in 0..4. */
    private static double[] gradient(SplittableRandom rnd, int size) {
        double[] g = TestData.uniform(rnd, size, -1, 1);
        for (int i = 0; i < size; i++) {
            g[i] = (float) (g[i] * Math.pow(10, -rnd.nextInt(5)));
        }
        return g;
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("adamCases")
    void adam(String backend, AdamCase c) {
        SplittableRandom rnd = TestData.random(c);
        Shape shape = Shape.of(c.size());
        double[] p = TestData.uniform(rnd, shape, -1, 1);
        double[] m = new double[c.size()];
        double[] v = new double[c.size()];
        try (TensorScope s = scope(backend)) {
            Tensor pt = s.upload(shape, p);
            Tensor gt = s.output(shape);
            Tensor mt = s.filled(shape, 0);
            Tensor vt = s.filled(shape, 0);
            for (int t = 1; t <= c.steps(); t++) {
                double[] g = gradient(rnd, c.size());
                s.set(gt, g);
                s.backend().adamUpdate(c.op(), t, pt, gt, mt, vt);
                OptimizerReference.adam(c.op(), t, p, g, m, v);
                String what = c + ", after step " + t;
                Compare.assertClose(what + " param", shape, p, s.download(pt), Tolerance.FORMULA);
                Compare.assertClose(what + " m", shape, m, s.download(mt), Tolerance.FORMULA);
                Compare.assertClose(what + " v", shape, v, s.download(vt), Tolerance.FORMULA);
                Compare.assertClose(what + " grad (unchanged)", shape, g, s.download(gt), Tolerance.EXACT);
            }
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("adamCasesWithDecay")
    void adamW(String backend, AdamCase c) {
        adam(backend, c);
    }

    /** adamUpdateAll (one launch on CUDA) applies the same decay to every tensor of the list. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("adamCasesWithDecay")
    void adamWOverAList(String backend, AdamCase c) {
        SplittableRandom rnd = TestData.random(c);
        Shape[] shapes = {Shape.of(c.size()), Shape.of(3), Shape.of(2, 5)};
        double[][] p = new double[shapes.length][];
        double[][] m = new double[shapes.length][];
        double[][] v = new double[shapes.length][];
        try (TensorScope s = scope(backend)) {
            java.util.List<Tensor> pt = new java.util.ArrayList<>();
            java.util.List<Tensor> gt = new java.util.ArrayList<>();
            java.util.List<Tensor> mt = new java.util.ArrayList<>();
            java.util.List<Tensor> vt = new java.util.ArrayList<>();
            for (int k = 0; k < shapes.length; k++) {
                p[k] = TestData.uniform(rnd, shapes[k], -1, 1);
                m[k] = new double[p[k].length];
                v[k] = new double[p[k].length];
                pt.add(s.upload(shapes[k], p[k]));
                gt.add(s.output(shapes[k]));
                mt.add(s.filled(shapes[k], 0));
                vt.add(s.filled(shapes[k], 0));
            }
            for (int t = 1; t <= c.steps(); t++) {
                for (int k = 0; k < shapes.length; k++) {
                    double[] g = gradient(rnd, p[k].length);
                    s.set(gt.get(k), g);
                    OptimizerReference.adam(c.op(), t, p[k], g, m[k], v[k]);
                }
                s.backend().adamUpdateAll(c.op(), t, pt, gt, mt, vt);
                for (int k = 0; k < shapes.length; k++) {
                    Compare.assertClose(c + ", tensor " + k + " after step " + t, shapes[k], p[k], s.download(pt.get(k)),
                            Tolerance.FORMULA);
                }
            }
        }
    }

    /**
     * The AdamW cases are sensitive to the decay: after their steps, plain Adam and Adam with the decay
     * folded into the gradient as an L2 term ({@code g + wd p}) both end farther from AdamW than the
     * tolerance, so a backend that dropped or coupled the decay could not pass {@link #adamW}.
     */
    @org.junit.jupiter.api.Test
    void theAdamWCasesWouldCatchAMissingDecay() {
        adamWCases().forEach(c -> {
            SplittableRandom rnd = TestData.random(c);
            double[] w = TestData.uniform(rnd, Shape.of(c.size()), -1, 1);
            double[] plain = w.clone();
            double[] coupled = w.clone();
            double[][] state = new double[6][c.size()];
            Adam noDecay = c.op().withWeightDecay(0f);
            for (int t = 1; t <= c.steps(); t++) {
                double[] g = gradient(rnd, c.size());
                double[] l2 = g.clone();
                for (int i = 0; i < l2.length; i++) {
                    l2[i] += c.op().weightDecay() * coupled[i];
                }
                OptimizerReference.adam(c.op(), t, w, g, state[0], state[1]);
                OptimizerReference.adam(noDecay, t, plain, g, state[2], state[3]);
                OptimizerReference.adam(noDecay, t, coupled, l2, state[4], state[5]);
            }
            double dPlain = 0;
            double dCoupled = 0;
            for (int i = 0; i < w.length; i++) {
                dPlain = Math.max(dPlain, Math.abs(w[i] - plain[i]) / (1e-6 + 1e-5 * Math.abs(w[i])));
                dCoupled = Math.max(dCoupled, Math.abs(w[i] - coupled[i]) / (1e-6 + 1e-5 * Math.abs(w[i])));
            }
            org.junit.jupiter.api.Assertions.assertTrue(dPlain > 100 && dCoupled > 100, c + ": plain Adam is "
                    + dPlain + " tolerances away, L2-coupled " + dCoupled);
        });
    }

    record ClipCase(double maxNorm, double gradientScale) {
        @Override
        public String toString() {
            return "clip to norm " + maxNorm + ", gradients in +-" + gradientScale;
        }
    }

    static Stream<Arguments> clipCases() {
        return BackendCases.crossed(Stream.of(
                new ClipCase(1.0, 1.0),        // norm about 33: clipped
                new ClipCase(0.05, 1e-3),      // norm about 0.03: within the limit, unchanged
                new ClipCase(5.0, 1e3)));      // norm about 3e4: clipped hard
    }

    /**
     * Clipping by global norm over tensors of several sizes (one past the CPU's parallel threshold, an
     * empty-ish one of one element) against {@link OptimizerReference#clipByGlobalNorm}: the backend's
     * sum of squares gives the same norm, and its rescale the same gradients.
     */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("clipCases")
    void clipByGlobalNorm(String backend, ClipCase c) {
        SplittableRandom rnd = TestData.random(c);
        Shape[] shapes = {Shape.of(40_000), Shape.of(3, 7), Shape.of(1), Shape.of(1000)};
        double[][] g = new double[shapes.length][];
        try (TensorScope s = scope(backend)) {
            java.util.List<Tensor> gt = new java.util.ArrayList<>();
            for (int k = 0; k < shapes.length; k++) {
                g[k] = TestData.uniform(rnd, shapes[k], -c.gradientScale(), c.gradientScale());
                for (int i = 0; i < g[k].length; i++) {
                    g[k][i] = (float) g[k][i]; // what the backend holds, so the norms compare at double precision
                }
                gt.add(s.upload(shapes[k], g[k]));
            }
            double norm = Math.sqrt(s.backend().sumOfSquares(gt));
            double expected = OptimizerReference.clipByGlobalNorm(c.maxNorm(), g);
            org.junit.jupiter.api.Assertions.assertEquals(expected, norm, 1e-12 * expected, c + ": global norm");
            org.convnet4j.ops.ClipByGlobalNorm op = new org.convnet4j.ops.ClipByGlobalNorm(c.maxNorm());
            double factor = op.factor(norm);
            if (factor != 1) {
                s.backend().scale(gt, (float) factor);
            }
            for (int k = 0; k < shapes.length; k++) {
                Compare.assertClose(c + ", tensor " + k, shapes[k], g[k], s.download(gt.get(k)), Tolerance.FORMULA);
            }
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("sgdCases")
    void sgdMomentum(String backend, SgdCase c) {
        SplittableRandom rnd = TestData.random(c);
        Shape shape = Shape.of(c.size());
        double[] p = TestData.uniform(rnd, shape, -1, 1);
        double[] velocity = new double[c.size()];
        try (TensorScope s = scope(backend)) {
            Tensor pt = s.upload(shape, p);
            Tensor gt = s.output(shape);
            Tensor vt = s.filled(shape, 0);
            for (int t = 1; t <= c.steps(); t++) {
                double[] g = gradient(rnd, c.size());
                s.set(gt, g);
                s.backend().sgdMomentumUpdate(c.op(), pt, gt, vt);
                OptimizerReference.sgdMomentum(c.op(), p, g, velocity);
                String what = c + ", after step " + t;
                Compare.assertClose(what + " param", shape, p, s.download(pt), Tolerance.FORMULA);
                Compare.assertClose(what + " velocity", shape, velocity, s.download(vt), Tolerance.FORMULA);
            }
        }
    }
}
