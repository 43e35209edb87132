package org.convnet4j.reference;

import static org.convnet4j.reference.NumericGradient.assertGradient;
import static org.convnet4j.reference.NumericGradient.awayFromZero;
import static org.convnet4j.reference.NumericGradient.distinct;
import static org.convnet4j.reference.NumericGradient.dot;
import static org.convnet4j.reference.NumericGradient.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.Concat;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.ops.GlobalAvgPool;
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.PoolMode;
import org.convnet4j.ops.Size2;
import org.convnet4j.ops.SoftmaxCrossEntropy;
import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks every backward pass of the float64 reference against central differences of its own forward
 * pass, with the scalar loss {@code sum(y * r)} for a fixed random r (so the analytic gradient is the
 * backward of dy = r). The reference is the oracle of the backend suite; this is what makes it one.
 */
class ReferenceGradientTest {

    static Stream<Conv2dOp> convs() {
        return Stream.of(
                new Conv2dOp(Shape.nchw(2, 3, 7, 6), 4, Size2.of(3), Size2.of(2), Padding.SAME, true),
                new Conv2dOp(Shape.nchw(1, 2, 9, 7), 3, Size2.of(5), Size2.of(1), Padding.VALID, true),
                new Conv2dOp(Shape.nchw(2, 2, 6, 7), 3, Size2.of(3), Size2.of(2), Padding.explicit(1, 2, 0, 1), false),
                new Conv2dOp(Shape.nchw(1, 2, 8, 9), 2, Size2.of(1, 3), Size2.of(1, 2), Padding.SAME, true),
                new Conv2dOp(Shape.nchw(1, 2, 13, 11), 2, Size2.of(7), Size2.of(4), Padding.SAME, true));
    }

    @ParameterizedTest
    @MethodSource("convs")
    void conv(Conv2dOp op) {
        SplittableRandom rnd = new SplittableRandom(op.toString().hashCode());
        double[] x = uniform(rnd, op.input().size(), -1, 1);
        double[] w = uniform(rnd, op.weightShape().size(), -1, 1);
        double[] b = op.bias() ? uniform(rnd, op.filters(), -1, 1) : null;
        double[] r = uniform(rnd, op.outputShape().size(), -1, 1);

        assertGradient(op + " dx", ConvReference.backwardData(op, r, w),
                NumericGradient.of(v -> dot(ConvReference.forward(op, v, w, b), r), x));
        assertGradient(op + " dw", ConvReference.backwardFilter(op, x, r),
                NumericGradient.of(v -> dot(ConvReference.forward(op, x, v, b), r), w));
        if (op.bias()) {
            assertGradient(op + " dbias", ConvReference.backwardBias(op, r),
                    NumericGradient.of(v -> dot(ConvReference.forward(op, x, w, v), r), b));
        }
    }

    static Stream<Pool2d> pools() {
        Shape odd = Shape.nchw(2, 2, 7, 9);
        return Stream.of(PoolMode.MAX, PoolMode.AVERAGE).flatMap(mode -> Stream.of(
                new Pool2d(odd, mode, Size2.of(2), Size2.of(2), Padding.VALID),
                new Pool2d(odd, mode, Size2.of(3), Size2.of(2), Padding.SAME),
                new Pool2d(odd, mode, Size2.of(3), Size2.of(1), Padding.SAME),
                new Pool2d(odd, mode, Size2.of(3), Size2.of(2), Padding.explicit(1, 0, 2, 1)),
                new Pool2d(odd, mode, Size2.of(3, 2), Size2.of(2, 1), Padding.SAME)));
    }

    @ParameterizedTest
    @MethodSource("pools")
    void pool(Pool2d op) {
        SplittableRandom rnd = new SplittableRandom(op.toString().hashCode());
        // Distinct values 0.01 apart: a perturbation of 1e-5 never changes which cell wins a max.
        double[] x = distinct(rnd, op.input().size(), 0.01);
        double[] r = uniform(rnd, op.outputShape().size(), -1, 1);
        assertGradient(op + " dx", PoolReference.backward(op, x, r),
                NumericGradient.of(v -> dot(PoolReference.forward(op, v), r), x));
    }

    @Test
    void globalAvgPool() {
        GlobalAvgPool op = new GlobalAvgPool(Shape.nchw(2, 3, 5, 7));
        SplittableRandom rnd = new SplittableRandom(11);
        double[] x = uniform(rnd, op.input().size(), -1, 1);
        double[] r = uniform(rnd, op.outputShape().size(), -1, 1);
        assertGradient(op + " dx", PoolReference.globalAvgBackward(op, r),
                NumericGradient.of(v -> dot(PoolReference.globalAvgForward(op, v), r), x));
    }

    static Stream<BatchNorm> batchNorms() {
        return Stream.of(
                BatchNorm.of(Shape.nchw(2, 3, 4, 5)),
                BatchNorm.of(Shape.nchw(1, 2, 3, 3)),
                new BatchNorm(Shape.of(5, 4), 1e-5f, 0.9f));
    }

    /** Training mode, where y depends on x through the batch statistics as well. */
    @ParameterizedTest
    @MethodSource("batchNorms")
    void batchNormTraining(BatchNorm op) {
        SplittableRandom rnd = new SplittableRandom(op.toString().hashCode());
        int c = op.channels();
        double[] x = uniform(rnd, op.input().size(), -1, 2);
        double[] gamma = uniform(rnd, c, 0.5, 1.5);
        double[] beta = uniform(rnd, c, -0.5, 0.5);
        double[] mm = new double[c];
        double[] mv = uniform(rnd, c, 0.5, 1.5);
        double[] r = uniform(rnd, op.input().size(), -1, 1);

        BatchNormReference.Training t = BatchNormReference.forwardTraining(op, x, gamma, beta, mm, mv);
        BatchNormReference.Gradients g = BatchNormReference.backward(op, x, r, gamma, t.mean(), t.variance());
        assertGradient(op + " dx", g.dx(), NumericGradient.of(
                v -> dot(BatchNormReference.forwardTraining(op, v, gamma, beta, mm, mv).y(), r), x));
        assertGradient(op + " dgamma", g.dgamma(), NumericGradient.of(
                v -> dot(BatchNormReference.forwardTraining(op, x, v, beta, mm, mv).y(), r), gamma));
        assertGradient(op + " dbeta", g.dbeta(), NumericGradient.of(
                v -> dot(BatchNormReference.forwardTraining(op, x, gamma, v, mm, mv).y(), r), beta));
    }

    static Stream<DenseOp> denses() {
        return Stream.of(new DenseOp(Shape.of(3, 7), 5, true), new DenseOp(Shape.of(1, 4), 6, false));
    }

    @ParameterizedTest
    @MethodSource("denses")
    void dense(DenseOp op) {
        SplittableRandom rnd = new SplittableRandom(op.toString().hashCode());
        double[] x = uniform(rnd, op.input().size(), -1, 1);
        double[] w = uniform(rnd, op.weightShape().size(), -1, 1);
        double[] b = op.bias() ? uniform(rnd, op.units(), -1, 1) : null;
        double[] r = uniform(rnd, op.outputShape().size(), -1, 1);
        assertGradient(op + " dx", DenseReference.backwardData(op, r, w),
                NumericGradient.of(v -> dot(DenseReference.forward(op, v, w, b), r), x));
        assertGradient(op + " dw", DenseReference.backwardWeights(op, x, r),
                NumericGradient.of(v -> dot(DenseReference.forward(op, x, v, b), r), w));
        if (op.bias()) {
            assertGradient(op + " dbias", DenseReference.backwardBias(op, r),
                    NumericGradient.of(v -> dot(DenseReference.forward(op, x, w, v), r), b));
        }
    }

    static Stream<Arguments> softmaxCases() {
        return Stream.of(true, false).flatMap(sparse -> Stream.of(1.0, 0.3).map(
                w -> Arguments.of(sparse, w)));
    }

    /** The loss itself is the scalar; dlogits must be its gradient, weight and 1/N included. */
    @ParameterizedTest
    @MethodSource("softmaxCases")
    void softmaxCrossEntropy(boolean sparse, double weight) {
        SoftmaxCrossEntropy op = new SoftmaxCrossEntropy(Shape.of(4, 6), sparse);
        SplittableRandom rnd = new SplittableRandom(sparse ? 5 : 6);
        double[] logits = uniform(rnd, op.logits().size(), -3, 3);
        int[] classes = new int[op.batch()];
        for (int b = 0; b < classes.length; b++) {
            classes[b] = rnd.nextInt(op.classes());
        }
        double[] labels = SoftmaxCrossEntropyReference.oneHot(classes, op.classes());
        SoftmaxCrossEntropyReference.Result res = SoftmaxCrossEntropyReference.forward(op, logits, labels, weight);
        assertGradient(op + " weight " + weight + " dlogits", res.dlogits(), NumericGradient.of(
                v -> SoftmaxCrossEntropyReference.forward(op, v, labels, weight).loss(), logits));
    }

    @Test
    void relu() {
        SplittableRandom rnd = new SplittableRandom(21);
        double[] x = awayFromZero(rnd, 60, 0.01);
        double[] r = uniform(rnd, 60, -1, 1);
        assertGradient("relu dx", ElementwiseReference.reluBackward(ElementwiseReference.relu(x), r),
                NumericGradient.of(v -> dot(ElementwiseReference.relu(v), r), x));
    }

    @Test
    void add() {
        SplittableRandom rnd = new SplittableRandom(22);
        double[] a = uniform(rnd, 30, -1, 1);
        double[] b = uniform(rnd, 30, -1, 1);
        double[] r = uniform(rnd, 30, -1, 1);
        assertGradient("add da", r, NumericGradient.of(v -> dot(ElementwiseReference.add(v, b), r), a));
        assertGradient("add db", r, NumericGradient.of(v -> dot(ElementwiseReference.add(a, v), r), b));
    }

    @Test
    void concat() {
        Concat op = Concat.of(Shape.nchw(2, 1, 3, 4), Shape.nchw(2, 3, 3, 4), Shape.nchw(2, 2, 3, 4));
        SplittableRandom rnd = new SplittableRandom(23);
        List<double[]> xs = new ArrayList<>();
        for (Shape s : op.inputs()) {
            xs.add(uniform(rnd, s.size(), -1, 1));
        }
        double[] r = uniform(rnd, op.outputShape().size(), -1, 1);
        List<double[]> dxs = ConcatReference.backward(op, r);
        for (int i = 0; i < xs.size(); i++) {
            int k = i;
            assertGradient(op + " dx" + i, dxs.get(i), NumericGradient.of(v -> {
                List<double[]> probe = new ArrayList<>(xs);
                probe.set(k, v);
                return dot(ConcatReference.forward(op, probe), r);
            }, xs.get(i)));
        }
    }

    @Test
    void zeroPad() {
        ZeroPad2d op = new ZeroPad2d(Shape.nchw(2, 2, 3, 5), new Pads(1, 2, 0, 3));
        SplittableRandom rnd = new SplittableRandom(24);
        double[] x = uniform(rnd, op.input().size(), -1, 1);
        double[] r = uniform(rnd, op.outputShape().size(), -1, 1);
        assertGradient(op + " dx", ZeroPadReference.backward(op, r),
                NumericGradient.of(v -> dot(ZeroPadReference.forward(op, v), r), x));
    }
}
