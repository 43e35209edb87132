package org.convnet4j.backend;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Size2;
import org.convnet4j.reference.ConvReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conv2dForward, conv2dBackwardData and conv2dBackwardFilter against {@link ConvReference}, and the
 * backward passes against finite differences of the backend's own forward. Cases cover batch 1, odd
 * sizes, kernels 1 to 11, strides 1, 2 and 4, valid, same and explicit padding, with and without bias.
 */
class ConvTest extends BackendSuite {

    static Stream<Conv2dOp> ops() {
        return Stream.of(
                conv(1, 3, 7, 9, 4, Size2.of(3), 1, Padding.VALID, true),
                conv(2, 3, 13, 11, 4, Size2.of(3), 2, Padding.SAME, true),
                conv(2, 2, 9, 7, 3, Size2.of(5), 1, Padding.SAME, false),
                conv(1, 4, 15, 15, 4, Size2.of(7), 2, Padding.SAME, true),
                conv(2, 3, 15, 13, 4, Size2.of(11), 4, Padding.VALID, true),
                conv(1, 3, 15, 15, 2, Size2.of(11), 4, Padding.SAME, false),
                conv(3, 8, 7, 7, 5, Size2.of(1), 1, Padding.VALID, false),
                conv(2, 4, 11, 11, 6, Size2.of(1), 2, Padding.VALID, true),
                conv(2, 3, 10, 9, 4, Size2.of(3), 2, Padding.explicit(1, 2, 0, 3), true),
                conv(2, 3, 8, 8, 2, Size2.of(5), 2, Padding.explicit(2, 2, 2, 2), false),
                conv(2, 3, 12, 12, 3, Size2.of(3), 4, Padding.SAME, true),
                conv(2, 3, 9, 11, 4, Size2.of(1, 7), 1, Padding.SAME, true),
                // Rectangular kernel and stride: a backend that swaps H and W fails here.
                new Conv2dOp(Shape.nchw(2, 3, 11, 9), 3, Size2.of(3, 5), Size2.of(2, 1), Padding.SAME, true),
                // One moderately sized case, so that blocked and vectorized code paths run too.
                conv(2, 16, 28, 28, 32, Size2.of(3), 1, Padding.SAME, true));
    }

    static Stream<Arguments> cases() {
        return BackendCases.crossed(ops());
    }

    private static Conv2dOp conv(int n, int c, int h, int w, int filters, Size2 kernel, int stride, Padding padding,
                               boolean bias) {
        return new Conv2dOp(Shape.nchw(n, c, h, w), filters, kernel, Size2.of(stride), padding, bias);
    }

    /** A case's FP32-rounded inputs; r is the dy of the backward passes. */
    record Inputs(double[] x, double[] w, double[] bias, double[] r) {
        static Inputs of(Conv2dOp op) {
            SplittableRandom rnd = TestData.random(op);
            return new Inputs(TestData.uniform(rnd, op.input(), -1, 1),
                    TestData.uniform(rnd, op.weightShape(), -1, 1),
                    op.bias() ? TestData.uniform(rnd, op.biasShape(), -1, 1) : null,
                    TestData.uniform(rnd, op.outputShape(), -1, 1));
        }
    }

    /** Each output sums C * kh * kw products. */
    static Tolerance forwardTolerance(Conv2dOp op) {
        return Tolerance.reduction((long) op.channels() * op.kernel().h() * op.kernel().w());
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forward(String backend, Conv2dOp op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            Tensor y = s.output(op.outputShape());
            s.backend().conv2dForward(op, x, w, b, y);
            Compare.assertClose(op + " y", op.outputShape(), ConvReference.forward(op, in.x(), in.w(), in.bias()),
                    s.download(y), forwardTolerance(op));
        }
    }

    /** Each input's gradient sums at most filters * kh * kw products. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backwardData(String backend, Conv2dOp op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor dy = s.upload(op.outputShape(), in.r());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor dx = s.output(op.input());
            s.backend().conv2dBackwardData(op, dy, w, dx);
            Compare.assertClose(op + " dx", op.input(), ConvReference.backwardData(op, in.r(), in.w()),
                    s.download(dx), Tolerance.reduction((long) op.filters() * op.kernel().h() * op.kernel().w()));
        }
    }

    /** Each weight's and bias's gradient sums N * OH * OW products; with dbias null only dw is written. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backwardFilter(String backend, Conv2dOp op) {
        Inputs in = Inputs.of(op);
        Shape out = op.outputShape();
        Tolerance tol = Tolerance.reduction(out.size() / out.dim(1));
        double[] expectedDw = ConvReference.backwardFilter(op, in.x(), in.r());
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            Tensor dy = s.upload(out, in.r());
            Tensor dw = s.output(op.weightShape());
            Tensor db = op.bias() ? s.output(op.biasShape()) : null;
            s.backend().conv2dBackwardFilter(op, x, dy, dw, db);
            Compare.assertClose(op + " dw", op.weightShape(), expectedDw, s.download(dw), tol);
            if (op.bias()) {
                Compare.assertClose(op + " dbias", op.biasShape(), ConvReference.backwardBias(op, in.r()),
                        s.download(db), tol);
                Tensor dwOnly = s.output(op.weightShape());
                s.backend().conv2dBackwardFilter(op, x, dy, dwOnly, null);
                Compare.assertClose(op + " dw (dbias null)", op.weightShape(), expectedDw, s.download(dwOnly), tol);
            }
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void finiteDifferences(String backend, Conv2dOp op) {
        Inputs in = Inputs.of(op);
        SplittableRandom rnd = TestData.random("fd " + op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            Tensor y = s.output(op.outputShape());
            Tensor dy = s.upload(op.outputShape(), in.r());
            Tensor dx = s.output(op.input());
            Tensor dw = s.output(op.weightShape());
            Tensor db = op.bias() ? s.output(op.biasShape()) : null;
            be.conv2dBackwardData(op, dy, w, dx);
            be.conv2dBackwardFilter(op, x, dy, dw, db);
            double[] gx = s.download(dx);
            double[] gw = s.download(dw);
            double[] gb = op.bias() ? s.download(db) : null;

            FiniteDifference.check(op + " dx", op.input(), in.x(), gx, in.r(), v -> {
                s.set(x, v);
                be.conv2dForward(op, x, w, b, y);
                return s.download(y);
            }, rnd);
            s.set(x, in.x());
            FiniteDifference.check(op + " dw", op.weightShape(), in.w(), gw, in.r(), v -> {
                s.set(w, v);
                be.conv2dForward(op, x, w, b, y);
                return s.download(y);
            }, rnd);
            s.set(w, in.w());
            if (op.bias()) {
                FiniteDifference.check(op + " dbias", op.biasShape(), in.bias(), gb, in.r(), v -> {
                    s.set(b, v);
                    be.conv2dForward(op, x, w, b, y);
                    return s.download(y);
                }, rnd);
            }
        }
    }
}
