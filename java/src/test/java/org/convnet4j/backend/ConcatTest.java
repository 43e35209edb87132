package org.convnet4j.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.ops.Concat;
import org.convnet4j.reference.ConcatReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * concatForward of 2 to 4 inputs with different channel counts, 4-D and 2-D, and concatBackward's
 * split, against {@link ConcatReference}; both are exact.
 */
class ConcatTest extends BackendSuite {

    static Stream<Arguments> cases() {
        return BackendCases.crossed(Stream.of(
                Concat.of(Shape.nchw(1, 3, 7, 9), Shape.nchw(1, 5, 7, 9)),
                Concat.of(Shape.nchw(2, 1, 5, 5), Shape.nchw(2, 4, 5, 5), Shape.nchw(2, 2, 5, 5)),
                Concat.of(Shape.nchw(2, 8, 7, 7), Shape.nchw(2, 6, 7, 7), Shape.nchw(2, 3, 7, 7), Shape.nchw(2, 5, 7, 7)),
                Concat.of(Shape.of(3, 4), Shape.of(3, 7)),
                Concat.of(Shape.nchw(3, 2, 1, 1), Shape.nchw(3, 1, 1, 1), Shape.nchw(3, 3, 1, 1)),
                // Moderately sized: an Inception block's four paths, narrowed.
                Concat.of(Shape.nchw(2, 64, 14, 14), Shape.nchw(2, 32, 14, 14), Shape.nchw(2, 16, 14, 14),
                        Shape.nchw(2, 16, 14, 14))));
    }

    private static List<double[]> inputs(Concat op) {
        SplittableRandom rnd = TestData.random(op);
        List<double[]> xs = new ArrayList<>();
        for (Shape s : op.inputs()) {
            xs.add(TestData.uniform(rnd, s, -1, 1));
        }
        return xs;
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forward(String backend, Concat op) {
        List<double[]> xs = inputs(op);
        try (TensorScope s = scope(backend)) {
            List<Tensor> xts = new ArrayList<>();
            for (int i = 0; i < xs.size(); i++) {
                xts.add(s.upload(op.inputs().get(i), xs.get(i)));
            }
            Tensor y = s.output(op.outputShape());
            s.backend().concatForward(op, xts, y);
            Compare.assertClose(op + " y", op.outputShape(), ConcatReference.forward(op, xs), s.download(y),
                    Tolerance.EXACT);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backward(String backend, Concat op) {
        double[] dy = TestData.uniform(TestData.random("dy " + op), op.outputShape(), -1, 1);
        List<double[]> expected = ConcatReference.backward(op, dy);
        try (TensorScope s = scope(backend)) {
            Tensor dyt = s.upload(op.outputShape(), dy);
            List<Tensor> dxs = new ArrayList<>();
            for (Shape shape : op.inputs()) {
                dxs.add(s.output(shape));
            }
            s.backend().concatBackward(op, dyt, dxs);
            for (int i = 0; i < dxs.size(); i++) {
                Compare.assertClose(op + " dx" + i, op.inputs().get(i), expected.get(i), s.download(dxs.get(i)),
                        Tolerance.EXACT);
            }
        }
    }

    /** The last input's gradient by finite differences: its slice sits at the largest channel offset. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void finiteDifferences(String backend, Concat op) {
        List<double[]> xs = inputs(op);
        SplittableRandom rnd = TestData.random("fd " + op);
        double[] r = TestData.uniform(rnd, op.outputShape(), -1, 1);
        int last = xs.size() - 1;
        Shape lastShape = op.inputs().get(last);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            List<Tensor> xts = new ArrayList<>();
            for (int i = 0; i < xs.size(); i++) {
                xts.add(s.upload(op.inputs().get(i), xs.get(i)));
            }
            Tensor y = s.output(op.outputShape());
            Tensor dy = s.upload(op.outputShape(), r);
            List<Tensor> dxs = new ArrayList<>();
            for (Shape shape : op.inputs()) {
                dxs.add(s.output(shape));
            }
            be.concatBackward(op, dy, dxs);
            FiniteDifference.check(op + " dx" + last, lastShape, xs.get(last), s.download(dxs.get(last)), r, v -> {
                s.set(xts.get(last), v);
                be.concatForward(op, xts, y);
                return s.download(y);
            }, rnd);
        }
    }
}
