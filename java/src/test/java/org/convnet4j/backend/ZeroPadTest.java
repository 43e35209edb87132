package org.convnet4j.backend;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.ops.Pads;
import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.reference.ZeroPadReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * zeroPad2dForward and its cropping backward, with asymmetric pads, against {@link ZeroPadReference};
 * both exact. The output starts as NaN, so a border the forward did not zero shows.
 */
class ZeroPadTest extends BackendSuite {

    static Stream<Arguments> cases() {
        return BackendCases.crossed(Stream.of(
                new ZeroPad2d(Shape.nchw(2, 3, 7, 9), new Pads(1, 2, 0, 3)),
                ZeroPad2d.of(Shape.nchw(1, 3, 15, 15), 3),
                new ZeroPad2d(Shape.nchw(2, 2, 7, 7), new Pads(0, 1, 0, 1)),
                new ZeroPad2d(Shape.nchw(1, 1, 1, 1), new Pads(2, 0, 1, 0)),
                new ZeroPad2d(Shape.nchw(3, 4, 5, 6), Pads.NONE)));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forward(String backend, ZeroPad2d op) {
        double[] x = TestData.uniform(TestData.random(op), op.input(), -1, 1);
        try (TensorScope s = scope(backend)) {
            Tensor xt = s.upload(op.input(), x);
            Tensor y = s.output(op.outputShape());
            s.backend().zeroPad2dForward(op, xt, y);
            Compare.assertClose(op + " y", op.outputShape(), ZeroPadReference.forward(op, x), s.download(y),
                    Tolerance.EXACT);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backward(String backend, ZeroPad2d op) {
        double[] dy = TestData.uniform(TestData.random("dy " + op), op.outputShape(), -1, 1);
        try (TensorScope s = scope(backend)) {
            Tensor dyt = s.upload(op.outputShape(), dy);
            Tensor dx = s.output(op.input());
            s.backend().zeroPad2dBackward(op, dyt, dx);
            Compare.assertClose(op + " dx", op.input(), ZeroPadReference.backward(op, dy), s.download(dx),
                    Tolerance.EXACT);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void finiteDifferences(String backend, ZeroPad2d op) {
        SplittableRandom rnd = TestData.random("fd " + op);
        double[] x = TestData.uniform(rnd, op.input(), -1, 1);
        double[] r = TestData.uniform(rnd, op.outputShape(), -1, 1);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor xt = s.upload(op.input(), x);
            Tensor y = s.output(op.outputShape());
            Tensor dy = s.upload(op.outputShape(), r);
            Tensor dx = s.output(op.input());
            be.zeroPad2dBackward(op, dy, dx);
            FiniteDifference.check(op + " dx", op.input(), x, s.download(dx), r, v -> {
                s.set(xt, v);
                be.zeroPad2dForward(op, xt, y);
                return s.download(y);
            }, rnd);
        }
    }
}
