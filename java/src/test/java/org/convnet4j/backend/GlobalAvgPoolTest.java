package org.convnet4j.backend;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.ops.GlobalAvgPool;
import org.convnet4j.reference.PoolReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** globalAvgPoolForward and its backward against {@link PoolReference}, and by finite differences. */
class GlobalAvgPoolTest extends BackendSuite {

    static Stream<Arguments> cases() {
        return BackendCases.crossed(Stream.of(
                new GlobalAvgPool(Shape.nchw(1, 3, 7, 9)),
                new GlobalAvgPool(Shape.nchw(2, 5, 13, 11)),
                new GlobalAvgPool(Shape.nchw(3, 8, 1, 1)),
                new GlobalAvgPool(Shape.nchw(2, 3, 15, 15)),
                // ResNet-50's head, narrowed: 7 x 7 planes of many channels.
                new GlobalAvgPool(Shape.nchw(2, 64, 7, 7))));
    }

    record Inputs(double[] x, double[] r) {
        static Inputs of(GlobalAvgPool op) {
            SplittableRandom rnd = TestData.random(op);
            return new Inputs(TestData.uniform(rnd, op.input(), -1, 1), TestData.uniform(rnd, op.outputShape(), -1, 1));
        }
    }

    private static Tolerance tolerance(GlobalAvgPool op) {
        return Tolerance.reduction(op.input().dim(2) * op.input().dim(3));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forward(String backend, GlobalAvgPool op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            Tensor y = s.output(op.outputShape());
            s.backend().globalAvgPoolForward(op, x, y);
            Compare.assertClose(op + " y", op.outputShape(), PoolReference.globalAvgForward(op, in.x()),
                    s.download(y), tolerance(op));
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backward(String backend, GlobalAvgPool op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor dy = s.upload(op.outputShape(), in.r());
            Tensor dx = s.output(op.input());
            s.backend().globalAvgPoolBackward(op, dy, dx);
            Compare.assertClose(op + " dx", op.input(), PoolReference.globalAvgBackward(op, in.r()),
                    s.download(dx), Tolerance.ELEMENTWISE);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void finiteDifferences(String backend, GlobalAvgPool op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            Tensor y = s.output(op.outputShape());
            Tensor dy = s.upload(op.outputShape(), in.r());
            Tensor dx = s.output(op.input());
            be.globalAvgPoolBackward(op, dy, dx);
            FiniteDifference.check(op + " dx", op.input(), in.x(), s.download(dx), in.r(), v -> {
                s.set(x, v);
                be.globalAvgPoolForward(op, x, y);
                return s.download(y);
            }, TestData.random("fd " + op));
        }
    }
}
