package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.convnet4j.ops.Adam;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Concat;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.ops.DropoutOp;
import org.convnet4j.ops.GlobalAvgPool;
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.PoolMode;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.ops.Size2;
import org.convnet4j.ops.SoftmaxCrossEntropy;
import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad arguments are rejected in Java, before any native call, with an IllegalArgumentException whose
 * message names the op and what was received: wrong ranks and shapes, zero and negative sizes, windows
 * larger than their input, null and closed tensors, out-of-range sparse labels, impossible rates. No
 * other exception type passes, and after every rejection the backend still computes correctly.
 */
class BadInputTest extends BackendSuite {
    private static final Shape X = Shape.nchw(2, 3, 7, 7);
    private static final Conv2dOp CONV = new Conv2dOp(X, 4, Size2.of(3), Size2.of(1), Padding.SAME, true);

    /** The call throws IllegalArgumentException and its message contains every fragment. */
    static void assertRejected(String what, Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call,
                what + ": expected an IllegalArgumentException");
        String message = String.valueOf(e.getMessage());
        for (String f : fragments) {
            assertTrue(message.contains(f), what + ": the message should contain '" + f + "'. Received: " + message);
        }
    }

    // ---- Op descriptors: no backend involved -------------------------------------------------------

    @Test
    void zeroAndNegativeSizes() {
        assertRejected("Shape.of(0, 3)", () -> Shape.of(0, 3), "[0, 3]");
        assertRejected("Shape.of(2, -1, 4, 4)", () -> Shape.of(2, -1, 4, 4), "[2, -1, 4, 4]");
        assertRejected("conv2d filters 0", () -> new Conv2dOp(X, 0, Size2.of(3), Size2.of(1), Padding.SAME, true),
                "conv2d", "filters=0");
        assertRejected("conv2d filters -3", () -> new Conv2dOp(X, -3, Size2.of(3), Size2.of(1), Padding.SAME, true),
                "conv2d", "filters=-3");
        assertRejected("Size2.of(0)", () -> Size2.of(0), "0x0");
        assertRejected("Size2.of(3, -1)", () -> Size2.of(3, -1), "3x-1");
        assertRejected("dense units 0", () -> new DenseOp(Shape.of(2, 5), 0, true), "dense", "units=0");
        assertRejected("negative pads", () -> new Pads(-1, 0, 0, 0), "top=-1");
        assertRejected("batch_norm epsilon 0", () -> new BatchNorm(X, 0f, 0.99f), "batch_norm", "epsilon=0.0");
        assertRejected("batch_norm momentum 1", () -> new BatchNorm(X, 1e-3f, 1f), "batch_norm", "momentum=1.0");
        assertRejected("adam lr 0", () -> new Adam(0f, 0.9f, 0.999f, 1e-7f), "adam", "lr=0.0");
        assertRejected("adam step 0", () -> Adam.keras().stepSize(0), "adam", "step=0");
        assertRejected("sgd momentum 1", () -> new SgdMomentum(0.1f, 1f), "sgd_momentum", "momentum=1.0");
    }

    @Test
    void dropoutRateOneOrNegative() {
        assertRejected("dropout rate 1", () -> new DropoutOp(X, 1f, 0), "dropout", "rate=1.0");
        assertRejected("dropout rate -0.1", () -> new DropoutOp(X, -0.1f, 0), "dropout", "rate=-0.1");
        assertRejected("dropout rate NaN", () -> new DropoutOp(X, Float.NaN, 0), "dropout", "rate=NaN");
    }

    @Test
    void wrongRanks() {
        assertRejected("conv2d on rank 2", () -> Conv2dOp.of(Shape.of(2, 3), 4, 3), "conv2d", "2x3");
        assertRejected("pool2d on rank 3", () -> Pool2d.max(Shape.of(2, 3, 4), 2), "pool2d", "2x3x4");
        assertRejected("dense on rank 4", () -> DenseOp.of(X, 10), "dense", X.toString());
        assertRejected("batch_norm on rank 3", () -> BatchNorm.of(Shape.of(2, 3, 4)), "batch_norm", "2x3x4");
        assertRejected("softmax_cross_entropy on rank 1", () -> new SoftmaxCrossEntropy(Shape.of(10), true),
                "softmax_cross_entropy", "10");
        assertRejected("global_avg_pool on rank 2", () -> new GlobalAvgPool(Shape.of(2, 3)), "global_avg_pool", "2x3");
        assertRejected("zero_pad2d on rank 2", () -> ZeroPad2d.of(Shape.of(2, 3), 1), "zero_pad2d", "2x3");
        assertRejected("concat of mismatched heights", () -> Concat.of(X, Shape.nchw(2, 5, 6, 7)), "concat",
                "2x5x6x7");
        assertRejected("concat of mismatched ranks", () -> Concat.of(X, Shape.of(2, 5)), "concat", "2x5");
    }

    @Test
    void windowLargerThanInput() {
        Shape small = Shape.nchw(1, 3, 5, 5);
        assertRejected("conv2d kernel 7 on 5x5, valid", () -> Conv2dOp.of(small, 4, 7), "conv2d", "1x3x5x5", "7x7");
        assertRejected("conv2d kernel 1x9 on 5x5, valid",
                () -> new Conv2dOp(small, 4, Size2.of(1, 9), Size2.of(1), Padding.VALID, false), "conv2d", "1x9");
        assertRejected("pool2d window 3 on 2x2, valid", () -> Pool2d.max(Shape.nchw(1, 1, 2, 2), 3), "pool2d",
                "1x1x2x2");
        assertRejected("pool2d pad as large as the window", () -> new Pool2d(small, PoolMode.AVERAGE, Size2.of(3),
                Size2.of(1), Padding.explicit(3, 0, 0, 0)), "pool2d", "3x3");
    }

    // ---- Primitives on a backend ---------------------------------------------------------------------

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void convWrongShapes(String backend) {
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.output(X);
            Tensor w = s.output(CONV.weightShape());
            Tensor b = s.output(CONV.biasShape());
            Tensor y = s.output(CONV.outputShape());
            Tensor x4 = s.output(Shape.nchw(2, 4, 7, 7));
            assertRejected("conv2d x with 4 channels for 3", () -> be.conv2dForward(CONV, x4, w, b, y), "conv2d",
                    "2x4x7x7");
            Tensor flat = s.output(Shape.of(2, 147));
            assertRejected("conv2d x of rank 2", () -> be.conv2dForward(CONV, flat, w, b, y), "conv2d", "2x147");
            Tensor w2 = s.output(Shape.of(4, 2, 3, 3));
            assertRejected("conv2d w with 2 input channels for 3", () -> be.conv2dForward(CONV, x, w2, b, y), "conv2d",
                    "4x2x3x3");
            Tensor yBad = s.output(Shape.nchw(2, 4, 5, 5));
            assertRejected("conv2d y of the valid shape for a same conv", () -> be.conv2dForward(CONV, x, w, b, yBad),
                    "conv2d", "2x4x5x5");
            Tensor b13 = s.output(Shape.of(13));
            assertRejected("conv2d bias of 13 for 4 filters", () -> be.conv2dForward(CONV, x, w, b13, y), "conv2d",
                    "13");
            assertRejected("conv2d bias null with bias", () -> be.conv2dForward(CONV, x, w, null, y), "conv2d", "bias");
            assertRejected("conv2d bias given to an op without bias",
                    () -> be.conv2dForward(CONV.withBias(false), x, w, b, y), "conv2d", "bias");
            assertRejected("conv2d backward data, dx wrong", () -> be.conv2dBackwardData(CONV, y, w, x4), "conv2d",
                    "2x4x7x7");
            assertRejected("conv2d backward filter, dw wrong", () -> be.conv2dBackwardFilter(CONV, x, y, w2, b),
                    "conv2d", "4x2x3x3");
            assertRejected("conv2d bias relu, y wrong", () -> be.conv2dBiasReluForward(CONV, x, w, b, yBad), "conv2d",
                    "2x4x5x5");
            assertStillWorks(s);
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void otherOpsWrongShapes(String backend) {
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Pool2d pool = new Pool2d(X, PoolMode.MAX, Size2.of(3), Size2.of(2), Padding.SAME);
            Tensor x = s.output(X);
            Tensor wrong = s.output(Shape.nchw(2, 3, 7, 8));
            assertRejected("pool2d y wrong", () -> be.pool2dForward(pool, x, wrong), "pool2d", "2x3x7x8");

            GlobalAvgPool gap = new GlobalAvgPool(X);
            Tensor y4 = s.output(Shape.nchw(2, 3, 1, 1));
            assertRejected("global_avg_pool y as 2x3x1x1", () -> be.globalAvgPoolForward(gap, x, y4),
                    "global_avg_pool", "2x3x1x1");

            DenseOp dense = DenseOp.of(Shape.of(2, 6), 4);
            Tensor dx = s.output(Shape.of(2, 6));
            Tensor transposed = s.output(Shape.of(4, 6));
            Tensor db = s.output(Shape.of(4));
            Tensor dy = s.output(Shape.of(2, 4));
            assertRejected("dense kernel transposed", () -> be.denseForward(dense, dx, transposed, db, dy), "dense",
                    "4x6");
            Tensor x5 = s.output(Shape.of(2, 5));
            Tensor w = s.output(dense.weightShape());
            assertRejected("dense x with 5 features for 6", () -> be.denseForward(dense, x5, w, db, dy), "dense", "2x5");

            BatchNorm bn = BatchNorm.of(X);
            Tensor c3 = s.output(Shape.of(3));
            Tensor c4 = s.output(Shape.of(4));
            BatchNormParams badGamma = new BatchNormParams(c4, c3, c3, c3);
            Tensor saved = s.output(bn.savedShape());
            assertRejected("batch_norm gamma of 4 for 3 channels",
                    () -> be.batchNormForwardTraining(bn, x, badGamma, s.output(X), saved), "batch_norm", "gamma");
            BatchNormParams p = new BatchNormParams(c3, c3, c3, c3);
            Tensor saved33 = s.output(Shape.of(3, 3));
            Tensor y = s.output(X);
            assertRejected("batch_norm saved 3x3", () -> be.batchNormForwardTraining(bn, x, p, y, saved33),
                    "batch_norm", "3x3");
            assertRejected("batch_norm x wrong", () -> be.batchNormForwardInference(bn, wrong, p, y), "batch_norm",
                    "2x3x7x8");

            SoftmaxCrossEntropy sparse = new SoftmaxCrossEntropy(Shape.of(3, 7), true);
            Tensor logits = s.output(Shape.of(3, 7));
            Tensor probs = s.output(Shape.of(3, 7));
            Tensor floatLabels = s.output(Shape.of(3));
            assertRejected("softmax_cross_entropy FP32 sparse labels",
                    () -> be.softmaxCrossEntropy(sparse, logits, floatLabels, 1f, probs, probs), "softmax_cross_entropy",
                    "FP32");
            SoftmaxCrossEntropy oneHot = new SoftmaxCrossEntropy(Shape.of(3, 7), false);
            Tensor labels37 = s.output(Shape.of(3, 8));
            assertRejected("softmax_cross_entropy one-hot labels 3x8",
                    () -> be.softmaxCrossEntropy(oneHot, logits, labels37, 1f, probs, s.output(Shape.of(3, 7))),
                    "softmax_cross_entropy", "3x8");

            assertRejected("add of mismatched shapes", () -> be.add(x, wrong, x), "add", "2x3x7x8");
            assertRejected("accumulate of mismatched shapes", () -> be.accumulate(wrong, x), "accumulate", "2x3x7x8");
            assertRejected("copy of mismatched shapes", () -> be.copy(x, wrong), "copy", "2x3x7x8");
            assertRejected("relu of mismatched shapes", () -> be.reluForward(x, wrong), "relu", "2x3x7x8");

            Concat concat = Concat.of(X, Shape.nchw(2, 5, 7, 7));
            Tensor cy = s.output(concat.outputShape());
            assertRejected("concat of one input for two", () -> be.concatForward(concat, List.of(x), cy), "concat");
            assertRejected("concat input of the wrong shape", () -> be.concatForward(concat, List.of(x, wrong), cy),
                    "concat", "2x3x7x8");

            ZeroPad2d pad = ZeroPad2d.of(X, 1);
            assertRejected("zero_pad2d y unpadded", () -> be.zeroPad2dForward(pad, x, y), "zero_pad2d", X.toString());

            DropoutOp dropout = new DropoutOp(X, 0.5f, 1);
            assertRejected("dropout y wrong", () -> be.dropoutForward(dropout, 1, x, wrong), "dropout", "2x3x7x8");

            Tensor p7 = s.output(Shape.of(7));
            Tensor p8 = s.output(Shape.of(8));
            assertRejected("adam m of 8 for 7", () -> be.adamUpdate(Adam.keras(), 1, p7, p7, p8, s.output(Shape.of(7))),
                    "adam", "8");
            assertRejected("adam step 0", () -> be.adamUpdate(Adam.keras(), 0, p7, s.output(Shape.of(7)),
                    s.output(Shape.of(7)), s.output(Shape.of(7))), "adam", "step");
            assertRejected("sgd_momentum velocity of 8 for 7",
                    () -> be.sgdMomentumUpdate(new SgdMomentum(0.1f, 0.9f), p7, s.output(Shape.of(7)), p8),
                    "sgd_momentum", "8");
            assertStillWorks(s);
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void nullTensors(String backend) {
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.output(X);
            Tensor w = s.output(CONV.weightShape());
            Tensor b = s.output(CONV.biasShape());
            Tensor y = s.output(CONV.outputShape());
            assertRejected("conv2d x null", () -> be.conv2dForward(CONV, null, w, b, y), "conv2d", "x");
            assertRejected("conv2d w null", () -> be.conv2dForward(CONV, x, null, b, y), "conv2d", "w");
            assertRejected("conv2d y null", () -> be.conv2dForward(CONV, x, w, b, null), "conv2d", "y");
            assertRejected("relu y null", () -> be.reluForward(x, null), "relu");
            BatchNorm bn = BatchNorm.of(X);
            Tensor c = s.output(bn.paramShape());
            assertRejected("batch_norm gamma null",
                    () -> be.batchNormForwardInference(bn, x, new BatchNormParams(null, c, c, c), s.output(X)),
                    "batch_norm", "gamma");
            SoftmaxCrossEntropy sparse = new SoftmaxCrossEntropy(Shape.of(3, 7), true);
            Tensor logits = s.output(sparse.logits());
            assertRejected("softmax_cross_entropy labels null",
                    () -> be.softmaxCrossEntropy(sparse, logits, null, 1f, s.output(sparse.logits()),
                            s.output(sparse.logits())), "softmax_cross_entropy", "labels");
            Concat concat = Concat.of(X, X);
            assertRejected("concat with a null input",
                    () -> be.concatForward(concat, Arrays.asList(x, null), s.output(concat.outputShape())), "concat");
            assertStillWorks(s);
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void closedTensors(String backend) {
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor closed = be.allocate(X);
            closed.close();
            Tensor w = s.output(CONV.weightShape());
            Tensor b = s.output(CONV.biasShape());
            Tensor y = s.output(CONV.outputShape());
            assertRejected("conv2d x closed", () -> be.conv2dForward(CONV, closed, w, b, y), "conv2d", "closed");
            assertRejected("relu x closed", () -> be.reluForward(closed, s.output(X)), "relu", "closed");
            assertRejected("relu backward dy closed", () -> be.reluBackward(s.output(X), closed, s.output(X)), "relu",
                    "closed");
            Pool2d pool = Pool2d.max(X, 2);
            assertRejected("pool2d x closed", () -> be.pool2dForward(pool, closed, s.output(pool.outputShape())),
                    "pool2d", "closed");
            SoftmaxCrossEntropy sparse = new SoftmaxCrossEntropy(Shape.of(3, 7), true);
            Tensor labels = be.allocate(Shape.of(3), DType.INT32);
            labels.close();
            assertRejected("softmax_cross_entropy labels closed",
                    () -> be.softmaxCrossEntropy(sparse, s.output(sparse.logits()), labels, 1f,
                            s.output(sparse.logits()), s.output(sparse.logits())), "softmax_cross_entropy", "closed");
            // A transfer is not an op; it must refuse a closed tensor, though not necessarily with this type.
            assertThrows(RuntimeException.class, () -> be.download(closed, new float[(int) X.size()]),
                    "download of a closed tensor");
            assertStillWorks(s);
        }
    }

    /** On a GPU the labels live on the device; either way a bad index must not read outside the row. */
    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void sparseLabelsOutOfRange(String backend) {
        SoftmaxCrossEntropy op = new SoftmaxCrossEntropy(Shape.of(3, 7), true);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor logits = s.filled(op.logits(), 0.5);
            Tensor probs = s.output(op.logits());
            Tensor dlogits = s.output(op.logits());
            Tensor tooLarge = s.labels(new int[] {0, 9, 2});
            assertRejected("softmax_cross_entropy label 9 of 7 classes",
                    () -> be.softmaxCrossEntropy(op, logits, tooLarge, 1f, probs, dlogits), "softmax_cross_entropy", "9");
            Tensor edge = s.labels(new int[] {0, 7, 2});
            assertRejected("softmax_cross_entropy label 7 of 7 classes",
                    () -> be.softmaxCrossEntropy(op, logits, edge, 1f, probs, dlogits), "softmax_cross_entropy", "7");
            Tensor negative = s.labels(new int[] {0, 1, -1});
            assertRejected("softmax_cross_entropy label -1",
                    () -> be.softmaxCrossEntropy(op, logits, negative, 1f, probs, dlogits), "softmax_cross_entropy",
                    "-1");
            assertStillWorks(s);
        }
    }

    /** After a rejection, a relu still computes: no state was left half-changed. */
    private static void assertStillWorks(TensorScope s) {
        Shape shape = Shape.of(2, 3);
        double[] x = {-1, 2, -3, 4, 0, 0.5};
        Tensor y = s.output(shape);
        s.backend().reluForward(s.upload(shape, x), y);
        Compare.assertClose("relu after rejected calls", shape, new double[] {0, 2, 0, 4, 0, 0.5}, s.download(y),
                Tolerance.EXACT);
    }
}
