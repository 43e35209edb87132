package org.convnet4j.backend;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.reference.ElementwiseReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * reluForward and reluBackward, out of place and in place, against {@link ElementwiseReference}. Both
 * are exact. Inputs include exact zeros, where y = 0 and the backward (masked by y > 0) must give 0;
 * the finite-difference check uses inputs at least 0.05 from zero, beyond the 0.01 step.
 */
class ReluTest extends BackendSuite {

    static Stream<Arguments> cases() {
        return BackendCases.crossed(Stream.of(Shape.nchw(2, 3, 7, 9), Shape.of(5, 11), Shape.nchw(1, 1, 1, 1),
                Shape.nchw(4, 8, 15, 15)));
    }

    /** Uniform in [-1, 1] with every seventh value exactly zero. */
    private static double[] withZeros(SplittableRandom rnd, Shape shape) {
        double[] x = TestData.uniform(rnd, shape, -1, 1);
        for (int i = 0; i < x.length; i += 7) {
            x[i] = 0;
        }
        return x;
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forward(String backend, Shape shape) {
        double[] x = withZeros(TestData.random("relu " + shape), shape);
        try (TensorScope s = scope(backend)) {
            Tensor xt = s.upload(shape, x);
            Tensor y = s.output(shape);
            s.backend().reluForward(xt, y);
            Compare.assertClose("relu y", shape, ElementwiseReference.relu(x), s.download(y), Tolerance.EXACT);
            Compare.assertClose("relu x (unchanged)", shape, x, s.download(xt), Tolerance.EXACT);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forwardInPlace(String backend, Shape shape) {
        double[] x = withZeros(TestData.random("relu " + shape), shape);
        try (TensorScope s = scope(backend)) {
            Tensor xt = s.upload(shape, x);
            s.backend().reluForward(xt, xt);
            Compare.assertClose("relu in place y", shape, ElementwiseReference.relu(x), s.download(xt), Tolerance.EXACT);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backward(String backend, Shape shape) {
        SplittableRandom rnd = TestData.random("relu backward " + shape);
        double[] y = ElementwiseReference.relu(withZeros(rnd, shape));
        double[] dy = TestData.uniform(rnd, shape, -1, 1);
        double[] expected = ElementwiseReference.reluBackward(y, dy);
        try (TensorScope s = scope(backend)) {
            Tensor yt = s.upload(shape, y);
            Tensor dyt = s.upload(shape, dy);
            Tensor dx = s.output(shape);
            s.backend().reluBackward(yt, dyt, dx);
            Compare.assertClose("relu dx", shape, expected, s.download(dx), Tolerance.EXACT);
            s.backend().reluBackward(yt, dyt, dyt);
            Compare.assertClose("relu dx in place (dx = dy)", shape, expected, s.download(dyt), Tolerance.EXACT);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void finiteDifferences(String backend, Shape shape) {
        SplittableRandom rnd = TestData.random("relu fd " + shape);
        double[] x = TestData.awayFromZero(rnd, shape, 5 * FiniteDifference.EPS);
        double[] r = TestData.uniform(rnd, shape, -1, 1);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor xt = s.upload(shape, x);
            Tensor y = s.output(shape);
            be.reluForward(xt, y);
            Tensor dy = s.upload(shape, r);
            Tensor dx = s.output(shape);
            be.reluBackward(y, dy, dx);
            FiniteDifference.check("relu dx", shape, x, s.download(dx), r, v -> {
                s.set(xt, v);
                be.reluForward(xt, y);
                return s.download(y);
            }, rnd);
        }
    }

    /** A NaN stays NaN (as in cuDNN with CUDNN_PROPAGATE_NAN and our kernels): relu must not hide a diverged run. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forwardPropagatesNaN(String backend, Shape shape) {
        double[] x = withZeros(TestData.random("relu nan " + shape), shape);
        for (int i = 0; i < x.length; i += 5) {
            x[i] = Double.NaN;
        }
        try (TensorScope s = scope(backend)) {
            Tensor y = s.output(shape);
            s.backend().fill(y, 7f);
            s.backend().reluForward(s.upload(shape, x), y);
            double[] got = s.download(y);
            for (int i = 0; i < x.length; i++) {
                if (Double.isNaN(x[i]) != Double.isNaN(got[i])) {
                    throw new AssertionError("relu " + shape + " at " + i + ": x=" + x[i] + " gave y=" + got[i]);
                }
            }
        }
    }
}
