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
 * ({@code m_hat / (sqrt(v_hat) + eps)}) differ by far more than the tolerance.
 */
class OptimizerTest extends BackendSuite {

    record AdamCase(Adam op, int size, int steps) {
        @Override
        public String toString() {
            return String.format("adam(lr %s, beta1 %s, beta2 %s, epsilon %s), %d params, %d steps",
                    op.learningRate(), op.beta1(), op.beta2(), op.epsilon(), size, steps);
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
