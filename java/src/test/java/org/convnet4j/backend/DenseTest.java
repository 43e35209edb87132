package org.convnet4j.backend;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.ops.DenseOp;
import org.convnet4j.reference.DenseReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * denseForward, denseBackwardData and denseBackwardWeights, with and without bias, against
 * {@link DenseReference} and finite differences. The kernel is (in, units) as in Keras: a backend that
 * read it transposed fails every case whose in and units differ.
 */
class DenseTest extends BackendSuite {

    static Stream<Arguments> cases() {
        return BackendCases.crossed(Stream.of(
                new DenseOp(Shape.of(1, 7), 5, true),
                new DenseOp(Shape.of(3, 13), 11, false),
                new DenseOp(Shape.of(2, 9), 1, true),
                new DenseOp(Shape.of(3, 1), 4, false),
                new DenseOp(Shape.of(4, 64), 10, true),
                // Moderately sized: a classifier head.
                new DenseOp(Shape.of(8, 512), 100, true)));
    }

    record Inputs(double[] x, double[] w, double[] bias, double[] r) {
        static Inputs of(DenseOp op) {
            SplittableRandom rnd = TestData.random(op);
            return new Inputs(TestData.uniform(rnd, op.input(), -1, 1),
                    TestData.uniform(rnd, op.weightShape(), -1, 1),
                    op.bias() ? TestData.uniform(rnd, op.biasShape(), -1, 1) : null,
                    TestData.uniform(rnd, op.outputShape(), -1, 1));
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forward(String backend, DenseOp op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            Tensor y = s.output(op.outputShape());
            s.backend().denseForward(op, x, w, b, y);
            Compare.assertClose(op + " y", op.outputShape(), DenseReference.forward(op, in.x(), in.w(), in.bias()),
                    s.download(y), Tolerance.reduction(op.inFeatures()));
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backwardData(String backend, DenseOp op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor dy = s.upload(op.outputShape(), in.r());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor dx = s.output(op.input());
            s.backend().denseBackwardData(op, dy, w, dx);
            Compare.assertClose(op + " dx", op.input(), DenseReference.backwardData(op, in.r(), in.w()),
                    s.download(dx), Tolerance.reduction(op.units()));
        }
    }

    /** dw and dbias sum over the batch; with dbias null only dw is written. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backwardWeights(String backend, DenseOp op) {
        Inputs in = Inputs.of(op);
        Tolerance tol = Tolerance.reduction(op.input().dim(0));
        double[] expectedDw = DenseReference.backwardWeights(op, in.x(), in.r());
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            Tensor dy = s.upload(op.outputShape(), in.r());
            Tensor dw = s.output(op.weightShape());
            Tensor db = op.bias() ? s.output(op.biasShape()) : null;
            s.backend().denseBackwardWeights(op, x, dy, dw, db);
            Compare.assertClose(op + " dw", op.weightShape(), expectedDw, s.download(dw), tol);
            if (op.bias()) {
                Compare.assertClose(op + " dbias", op.biasShape(), DenseReference.backwardBias(op, in.r()),
                        s.download(db), tol);
                Tensor dwOnly = s.output(op.weightShape());
                s.backend().denseBackwardWeights(op, x, dy, dwOnly, null);
                Compare.assertClose(op + " dw (dbias null)", op.weightShape(), expectedDw, s.download(dwOnly), tol);
            }
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void finiteDifferences(String backend, DenseOp op) {
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
            be.denseBackwardData(op, dy, w, dx);
            be.denseBackwardWeights(op, x, dy, dw, db);
            FiniteDifference.Forward run = v -> {
                be.denseForward(op, x, w, b, y);
                return s.download(y);
            };
            FiniteDifference.check(op + " dx", op.input(), in.x(), s.download(dx), in.r(), v -> {
                s.set(x, v);
                return run.apply(v);
            }, rnd);
            s.set(x, in.x());
            FiniteDifference.check(op + " dw", op.weightShape(), in.w(), s.download(dw), in.r(), v -> {
                s.set(w, v);
                return run.apply(v);
            }, rnd);
            s.set(w, in.w());
            if (op.bias()) {
                FiniteDifference.check(op + " dbias", op.biasShape(), in.bias(), s.download(db), in.r(), v -> {
                    s.set(b, v);
                    return run.apply(v);
                }, rnd);
            }
        }
    }
}
