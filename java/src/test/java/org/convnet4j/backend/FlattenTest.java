package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.ops.FlattenOp;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Size2;
import org.convnet4j.reference.ConvReference;
import org.convnet4j.reference.DenseReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FlattenOp is a view: N x C x H x W read as N x (C*H*W) in C, H, W order, sharing storage with its
 * source and owning none of it; its backward is the inverse view. Checked with the backend's transfers
 * and through a conv, flatten, dense chain against the reference.
 */
class FlattenTest extends BackendSuite {

    static Stream<Arguments> cases() {
        return BackendCases.crossed(Stream.of(Shape.nchw(2, 3, 7, 9), Shape.nchw(1, 5, 1, 1), Shape.of(3, 11)));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forwardIsAViewInChwOrder(String backend, Shape shape) {
        double[] x = TestData.uniform(TestData.random(shape), shape, -1, 1);
        long features = shape.size() / shape.dim(0);
        try (TensorScope s = scope(backend)) {
            Tensor xt = s.upload(shape, x);
            Tensor flat = FlattenOp.forward(xt);
            assertEquals(Shape.of(shape.dim(0), features), flat.shape(), "flatten output shape of " + shape);
            assertEquals(xt.address(), flat.address(), "flatten must not copy " + shape);
            Compare.assertClose("flatten " + shape + " y", flat.shape(), x, s.download(flat), Tolerance.EXACT);

            // Writing through the view writes the source: they share storage.
            s.backend().fill(flat, 2.5f);
            double[] twos = new double[x.length];
            Arrays.fill(twos, 2.5);
            Compare.assertClose("flatten " + shape + " source after writing the view", shape, twos, s.download(xt),
                    Tolerance.EXACT);

            // A view owns nothing: closing it leaves the source live and the pool's use unchanged.
            long inUse = s.backend().pool().stats().inUseBytes();
            flat.close();
            assertTrue(xt.isLive(), "closing a flatten view released its source " + shape);
            assertEquals(inUse, s.backend().pool().stats().inUseBytes(), "closing a flatten view changed the pool");
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backwardIsTheInverseView(String backend, Shape shape) {
        Shape flatShape = FlattenOp.outputShape(shape);
        double[] dy = TestData.uniform(TestData.random("dy " + shape), flatShape, -1, 1);
        try (TensorScope s = scope(backend)) {
            Tensor dyt = s.upload(flatShape, dy);
            Tensor dx = FlattenOp.backward(dyt, shape);
            assertEquals(shape, dx.shape(), "flatten backward shape");
            assertEquals(dyt.address(), dx.address(), "flatten backward must not copy");
            Compare.assertClose("flatten " + shape + " dx", shape, dy, s.download(dx), Tolerance.EXACT);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FlattenOp.backward(dyt, Shape.nchw(shape.dim(0), 1, 1, shape.size() / shape.dim(0) + 1)));
            assertTrue(e.getMessage().contains(FlattenOp.OP), "message should name flatten: " + e.getMessage());
        }
    }

    /** conv, flatten, dense: the dense kernel's rows must meet the features in C, H, W order. */
    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void convFlattenDenseMatchesTheReference(String backend) {
        Conv2dOp conv = new Conv2dOp(Shape.nchw(2, 3, 7, 9), 4, Size2.of(3), Size2.of(2), Padding.SAME, true);
        Shape features = FlattenOp.outputShape(conv.outputShape());
        DenseOp dense = DenseOp.of(features, 5);
        SplittableRandom rnd = TestData.random(conv);
        double[] x = TestData.uniform(rnd, conv.input(), -1, 1);
        double[] w = TestData.uniform(rnd, conv.weightShape(), -1, 1);
        double[] b = TestData.uniform(rnd, conv.biasShape(), -1, 1);
        double[] k = TestData.uniform(rnd, dense.weightShape(), -1, 1);
        double[] kb = TestData.uniform(rnd, dense.biasShape(), -1, 1);
        double[] expected = DenseReference.forward(dense, ConvReference.forward(conv, x, w, b), k, kb);
        try (TensorScope s = scope(backend)) {
            Tensor y = s.output(conv.outputShape());
            s.backend().conv2dForward(conv, s.upload(conv.input(), x), s.upload(conv.weightShape(), w),
                    s.upload(conv.biasShape(), b), y);
            Tensor out = s.output(dense.outputShape());
            s.backend().denseForward(dense, FlattenOp.forward(y), s.upload(dense.weightShape(), k),
                    s.upload(dense.biasShape(), kb), out);
            long r = features.dim(1) + (long) conv.channels() * 9;
            Compare.assertClose("conv2d, flatten, " + dense + " y", dense.outputShape(), expected, s.download(out),
                    Tolerance.reduction(r));
        }
    }
}
