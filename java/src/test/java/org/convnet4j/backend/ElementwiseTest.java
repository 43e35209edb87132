package org.convnet4j.backend;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.reference.ElementwiseReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * add (out of place and with y aliasing either input), accumulate, fill, copy, and the host transfers
 * everything else relies on, against {@link ElementwiseReference}. Sizes are odd so that vectorized
 * loops must handle their tails.
 */
class ElementwiseTest extends BackendSuite {

    static Stream<Arguments> cases() {
        return BackendCases.crossed(Stream.of(Shape.nchw(2, 3, 7, 9), Shape.of(13, 11), Shape.of(1),
                Shape.nchw(1, 1, 1, 17), Shape.nchw(3, 8, 15, 15)));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void uploadDownloadRoundTrip(String backend, Shape shape) {
        double[] v = TestData.uniform(TestData.random("transfer " + shape), shape, -1e3, 1e3);
        try (TensorScope s = scope(backend)) {
            Compare.assertClose("upload then download", shape, v, s.download(s.upload(shape, v)), Tolerance.EXACT);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void add(String backend, Shape shape) {
        SplittableRandom rnd = TestData.random("add " + shape);
        double[] a = TestData.uniform(rnd, shape, -1, 1);
        double[] b = TestData.uniform(rnd, shape, -1, 1);
        double[] expected = ElementwiseReference.add(a, b);
        try (TensorScope s = scope(backend)) {
            Tensor at = s.upload(shape, a);
            Tensor bt = s.upload(shape, b);
            Tensor y = s.output(shape);
            s.backend().add(at, bt, y);
            Compare.assertClose("add y", shape, expected, s.download(y), Tolerance.ELEMENTWISE);
            Compare.assertClose("add a (unchanged)", shape, a, s.download(at), Tolerance.EXACT);
            Compare.assertClose("add b (unchanged)", shape, b, s.download(bt), Tolerance.EXACT);
            s.backend().add(at, bt, at);
            Compare.assertClose("add y = a (in place)", shape, expected, s.download(at), Tolerance.ELEMENTWISE);
            s.set(at, a);
            s.backend().add(at, bt, bt);
            Compare.assertClose("add y = b (in place)", shape, expected, s.download(bt), Tolerance.ELEMENTWISE);
        }
    }

    /** add is linear with gradient dy for both inputs, which the graph passes on without a primitive. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void addFiniteDifferences(String backend, Shape shape) {
        SplittableRandom rnd = TestData.random("add fd " + shape);
        double[] a = TestData.uniform(rnd, shape, -1, 1);
        double[] b = TestData.uniform(rnd, shape, -1, 1);
        double[] r = TestData.uniform(rnd, shape, -1, 1);
        try (TensorScope s = scope(backend)) {
            Tensor at = s.upload(shape, a);
            Tensor bt = s.upload(shape, b);
            Tensor y = s.output(shape);
            FiniteDifference.check("add da", shape, a, r, r, v -> {
                s.set(at, v);
                s.backend().add(at, bt, y);
                return s.download(y);
            }, rnd);
        }
    }

    /** dst += src, twice: the second call must add to what the first left. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void accumulate(String backend, Shape shape) {
        SplittableRandom rnd = TestData.random("accumulate " + shape);
        double[] src = TestData.uniform(rnd, shape, -1, 1);
        double[] dst = TestData.uniform(rnd, shape, -1, 1);
        double[] once = ElementwiseReference.add(dst, src);
        for (int i = 0; i < once.length; i++) {
            once[i] = (float) once[i];
        }
        double[] twice = ElementwiseReference.add(once, src);
        try (TensorScope s = scope(backend)) {
            Tensor st = s.upload(shape, src);
            Tensor dt = s.upload(shape, dst);
            s.backend().accumulate(st, dt);
            Compare.assertClose("accumulate dst (once)", shape, once, s.download(dt), Tolerance.ELEMENTWISE);
            s.backend().accumulate(st, dt);
            Compare.assertClose("accumulate dst (twice)", shape, twice, s.download(dt), Tolerance.ELEMENTWISE);
            Compare.assertClose("accumulate src (unchanged)", shape, src, s.download(st), Tolerance.EXACT);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void fill(String backend, Shape shape) {
        try (TensorScope s = scope(backend)) {
            Tensor t = s.output(shape);
            for (double value : new double[] {0, -3.5, 1e-30, 7}) {
                s.backend().fill(t, (float) value);
                double[] expected = new double[Math.toIntExact(shape.size())];
                Arrays.fill(expected, (float) value);
                Compare.assertClose("fill " + value, shape, expected, s.download(t), Tolerance.EXACT);
            }
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void copy(String backend, Shape shape) {
        double[] v = TestData.uniform(TestData.random("copy " + shape), shape, -1, 1);
        try (TensorScope s = scope(backend)) {
            Tensor src = s.upload(shape, v);
            Tensor dst = s.output(shape);
            s.backend().copy(src, dst);
            Compare.assertClose("copy dst", shape, v, s.download(dst), Tolerance.EXACT);
            Compare.assertClose("copy src (unchanged)", shape, v, s.download(src), Tolerance.EXACT);
        }
    }
}
