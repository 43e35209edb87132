package org.convnet4j.backend;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.PoolMode;
import org.convnet4j.ops.Size2;
import org.convnet4j.reference.PoolReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * pool2dForward and pool2dBackward, max and average, against {@link PoolReference} and finite
 * differences. Inputs are distinct within each plane (0.05 apart), so no max has a tie and a
 * finite-difference step of 0.01 never changes the winner. The "same" and explicit cases check that
 * padded cells neither win a max nor count in an average.
 */
class PoolTest extends BackendSuite {
    private static final double SPACING = 0.05;

    static Stream<Pool2d> ops() {
        return Stream.of(
                pool(PoolMode.MAX, 1, 3, 8, 8, 2, 2, Padding.VALID),
                pool(PoolMode.MAX, 2, 2, 7, 9, 2, 2, Padding.VALID),
                pool(PoolMode.MAX, 1, 2, 7, 7, 2, 2, Padding.SAME),
                pool(PoolMode.MAX, 2, 3, 13, 11, 3, 2, Padding.VALID),
                pool(PoolMode.MAX, 2, 3, 13, 11, 3, 2, Padding.SAME),
                pool(PoolMode.MAX, 2, 4, 7, 9, 3, 1, Padding.SAME),
                pool(PoolMode.MAX, 1, 2, 9, 9, 3, 2, Padding.explicit(1, 1, 1, 1)),
                pool(PoolMode.AVERAGE, 2, 3, 8, 8, 2, 2, Padding.VALID),
                pool(PoolMode.AVERAGE, 1, 2, 7, 7, 2, 2, Padding.SAME),
                pool(PoolMode.AVERAGE, 2, 3, 13, 11, 3, 2, Padding.VALID),
                pool(PoolMode.AVERAGE, 2, 3, 13, 11, 3, 2, Padding.SAME),
                pool(PoolMode.AVERAGE, 2, 4, 7, 9, 3, 1, Padding.SAME),
                pool(PoolMode.AVERAGE, 2, 3, 14, 14, 5, 3, Padding.VALID),
                pool(PoolMode.AVERAGE, 1, 2, 9, 8, 3, 2, Padding.explicit(0, 1, 1, 0)),
                // Rectangular windows and strides: a backend that swaps H and W fails here.
                new Pool2d(Shape.nchw(1, 2, 9, 8), PoolMode.MAX, Size2.of(3, 2), Size2.of(2, 1), Padding.VALID),
                new Pool2d(Shape.nchw(1, 2, 9, 8), PoolMode.AVERAGE, Size2.of(3, 2), Size2.of(2, 1), Padding.SAME),
                // Moderately sized: the 3x3 stride-2 and stride-1 pools of GoogLeNet and ResNet.
                pool(PoolMode.MAX, 2, 16, 28, 28, 3, 2, Padding.SAME),
                pool(PoolMode.AVERAGE, 2, 16, 28, 28, 3, 1, Padding.SAME));
    }

    static Stream<Arguments> cases() {
        return BackendCases.crossed(ops());
    }

    private static Pool2d pool(PoolMode mode, int n, int c, int h, int w, int window, int stride, Padding padding) {
        return new Pool2d(Shape.nchw(n, c, h, w), mode, Size2.of(window), Size2.of(stride), padding);
    }

    record Inputs(double[] x, double[] r) {
        static Inputs of(Pool2d op) {
            SplittableRandom rnd = TestData.random(op);
            return new Inputs(TestData.distinctPerPlane(rnd, op.input(), SPACING),
                    TestData.uniform(rnd, op.outputShape(), -1, 1));
        }
    }

    /** A max moves one value (exact); an average sums at most window-size values. */
    private static Tolerance forwardTolerance(Pool2d op) {
        return op.mode() == PoolMode.MAX ? Tolerance.EXACT : Tolerance.reduction(windowSize(op));
    }

    /** An input cell collects at most one share from each of the windows that overlap it. */
    private static Tolerance backwardTolerance(Pool2d op) {
        return Tolerance.reduction(windowSize(op));
    }

    private static long windowSize(Pool2d op) {
        return (long) op.window().h() * op.window().w();
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forward(String backend, Pool2d op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            Tensor y = s.output(op.outputShape());
            s.backend().pool2dForward(op, x, y);
            Compare.assertClose(op + " y", op.outputShape(), PoolReference.forward(op, in.x()), s.download(y),
                    forwardTolerance(op));
        }
    }

    /**
     * All inputs below zero and all ones: a max over a window that includes padding must still be a
     * real (negative) cell, and an average of ones must be exactly one wherever the window sits.
     */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void paddingNeverCounts(String backend, Pool2d op) {
        double[] x = Inputs.of(op).x();
        double[] input = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            input[i] = op.mode() == PoolMode.MAX ? (float) (x[i] - 1000) : 1;
        }
        try (TensorScope s = scope(backend)) {
            Tensor xt = s.upload(op.input(), input);
            Tensor y = s.output(op.outputShape());
            s.backend().pool2dForward(op, xt, y);
            Compare.assertClose(op + " y on " + (op.mode() == PoolMode.MAX ? "negative inputs" : "ones"),
                    op.outputShape(), PoolReference.forward(op, input), s.download(y), forwardTolerance(op));
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backward(String backend, Pool2d op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            Tensor y = s.output(op.outputShape());
            s.backend().pool2dForward(op, x, y);
            Tensor dy = s.upload(op.outputShape(), in.r());
            Tensor dx = s.output(op.input());
            s.backend().pool2dBackward(op, x, y, dy, dx);
            Compare.assertClose(op + " dx", op.input(), PoolReference.backward(op, in.x(), in.r()), s.download(dx),
                    backwardTolerance(op));
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void finiteDifferences(String backend, Pool2d op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            Tensor y = s.output(op.outputShape());
            be.pool2dForward(op, x, y);
            Tensor dy = s.upload(op.outputShape(), in.r());
            Tensor dx = s.output(op.input());
            be.pool2dBackward(op, x, y, dy, dx);
            FiniteDifference.check(op + " dx", op.input(), in.x(), s.download(dx), in.r(), v -> {
                s.set(x, v);
                be.pool2dForward(op, x, y);
                return s.download(y);
            }, TestData.random("fd " + op));
        }
    }

    /** Max pooling keeps a NaN wherever it sits in the window (cuDNN with CUDNN_PROPAGATE_NAN does). */
    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void maxForwardPropagatesNaN(String backend) {
        Pool2d op = Pool2d.max(Shape.nchw(1, 2, 4, 4), 2);
        double[] x = TestData.uniform(TestData.random("max pool nan"), op.input(), -1, 1);
        x[5] = Double.NaN;              // the last cell of window (0, 0) of channel 0
        x[16 + 2 * 4 + 3] = Double.NaN; // the second cell of window (1, 1) of channel 1
        double[] expected = PoolReference.forward(op, x);
        try (TensorScope s = scope(backend)) {
            Tensor y = s.output(op.outputShape());
            s.backend().pool2dForward(op, s.upload(op.input(), x), y);
            double[] got = s.download(y);
            for (int i = 0; i < got.length; i++) {
                boolean nan = i == 0 || i == 4 + 3;
                if (nan != Double.isNaN(got[i]) || !nan && got[i] != expected[i]) {
                    throw new AssertionError("max pool output " + i + ": " + got[i] + (nan ? ", expected NaN" : ", expected " + expected[i]));
                }
            }
        }
    }
}
