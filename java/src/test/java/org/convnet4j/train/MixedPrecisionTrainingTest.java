package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.convnet4j.backend.Backends;
import org.convnet4j.backend.cpu.CpuBackend;
import org.convnet4j.graph.ExecutionPlan;
import org.convnet4j.graph.Executor;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.TestModels;
import org.convnet4j.graph.Weights;
import org.convnet4j.ops.Adam;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Training end to end in each precision on the CPU: bf16 (image activations and their gradients in
 * bfloat16, FP32 master weights) learns what fp32 learns; the plan stores activations as the policy
 * says; and a steady-state step reorders activations only where the graph needs it, in both layouts
 * compared, so that the count cannot silently grow back.
 */
class MixedPrecisionTrainingTest {
    private static final int CLASSES = 10;
    private static final int BATCH = 32;

    private static CpuBackend backend;
    private static SyntheticImages data;

    @BeforeAll
    static void open() {
        backend = (CpuBackend) Backends.create("cpu");
        data = SyntheticImages.make(320, CLASSES, 7);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static void assumeBf16() {
        assumeTrue(CpuBackend.nativeBf16(), "[cpu] no native bfloat16 here (oneDNN ISA " + CpuBackend.isaName()
                + "): bf16 training skipped");
    }

    /**
     * After three passes of Adam in {@code precision}: the last pass's training accuracy and mean loss,
     * then the accuracy of the trained weights evaluated (moving statistics) in this precision and in
     * the other one.
     */
    private static double[] train(Precision precision) {
        Model m = TestModels.lenet5WithBatchNormAndDropout(CLASSES, 0.25);
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer trainer = new Trainer(m, backend, w, adam, precision)) {
            w.initialize(3);
            double loss = 0;
            int right = 0;
            int steps = data.count() / BATCH;
            for (int epoch = 0; epoch < 3; epoch++) {
                loss = 0;
                right = 0;
                for (int s = 0; s < steps; s++) {
                    Trainer.BatchResult r = trainer.trainBatch(data.images(s * BATCH, BATCH),
                            data.labels(s * BATCH, BATCH), BATCH);
                    loss += r.loss() / steps;
                    right += r.correct();
                }
            }
            int evaluated = 0;
            for (int s = 0; s < steps; s++) {
                evaluated += trainer.evaluateBatch(data.images(s * BATCH, BATCH), data.labels(s * BATCH, BATCH), BATCH)
                        .correct();
            }
            // The same weights evaluated in the other precision: checkpoints are interchangeable.
            Precision other = precision == Precision.FP32 ? Precision.BF16 : Precision.FP32;
            int evaluatedOther = 0;
            try (Evaluator e = new Evaluator(m, w, other)) {
                for (int s = 0; s < steps; s++) {
                    evaluatedOther += e.evaluateBatch(data.images(s * BATCH, BATCH), data.labels(s * BATCH, BATCH),
                            BATCH).correct();
                }
            }
            double n = data.count();
            return new double[] {right / n, loss, evaluated / n, evaluatedOther / n};
        }
    }

    /**
     * bf16 learns what fp32 learns: the last pass's training accuracy above 90% in both, within 5
     * points of each other (one image is 0.3 points; the runs round differently from the first step
     * on, and dropout is on); and either run's weights evaluate within 3 points in the other
     * precision. (Evaluation uses moving statistics, which three short passes leave far from the
     * batch statistics, so its accuracy is not itself compared with training's.)
     */
    @Test
    void bf16TrainingLearnsWhatFp32Learns() {
        assumeBf16();
        double[] fp32 = train(Precision.FP32);
        double[] bf16 = train(Precision.BF16);
        String what = String.format("fp32: training accuracy %.4f, loss %.4f, evaluated %.4f (in bf16 %.4f); "
                + "bf16: training accuracy %.4f, loss %.4f, evaluated %.4f (in fp32 %.4f)",
                fp32[0], fp32[1], fp32[2], fp32[3], bf16[0], bf16[1], bf16[2], bf16[3]);
        assertTrue(fp32[0] > 0.9 && bf16[0] > 0.9, what);
        assertTrue(Math.abs(fp32[0] - bf16[0]) <= 0.05, what);
        assertTrue(Math.abs(fp32[2] - fp32[3]) <= 0.03 && Math.abs(bf16[2] - bf16[3]) <= 0.03, what);
    }

    /** Image activations and their gradients in the policy's type and NHWC; the input, features and logits FP32 NCHW. */
    @Test
    void thePlanStoresImageActivationsAsThePolicySays() {
        Model m = TestModels.lenet5WithBatchNormAndDropout(CLASSES, 0.5);
        ExecutionPlan plan = ExecutionPlan.training(m, BATCH, Precision.BF16, Layout.NHWC);
        for (ExecutionPlan.Step s : plan.steps()) {
            boolean image = s.activation().shape().rank() == 4;
            assertEquals(image ? DType.BF16 : DType.FP32, s.activation().dtype(), s.node().toString());
            assertEquals(image ? Layout.NHWC : Layout.NCHW, s.activation().layout(), s.node().toString());
            if (s.gradient() != null) {
                assertEquals(s.activation().dtype(), s.gradient().dtype(), s.node().toString());
                assertEquals(s.activation().layout(), s.gradient().layout(), s.node().toString());
            }
        }
        assertTrue(plan.arenaBytes() < ExecutionPlan.training(m, BATCH).arenaBytes(),
                "bf16 gradients take half the bytes of fp32 ones");
    }

    /** Activation reorders of one steady-state training step (after the first, which builds the primitives). */
    private static long reordersPerStep(Model m, Precision precision, Layout layout) {
        return perStep(m, precision, layout, BATCH)[0];
    }

    /** Activation reorders and type conversions of one steady-state training step of batch n. */
    private static long[] perStep(Model m, Precision precision, Layout layout, int n) {
        try (Weights w = new Weights(m, backend)) {
            w.initialize(1);
            Tensor[] grads = new Tensor[m.params().size()];
            for (var p : m.params()) {
                grads[p.index()] = backend.allocate(p.spec().shape());
            }
            try (Executor ex = new Executor(ExecutionPlan.training(m, n, precision, layout), w, grads)) {
                backend.upload(data.images(0, n), ex.input());
                ex.setLabels(data.labels(0, n));
                ex.trainStep(1);
                long before = backend.reorderCount(false);
                long conversions = backend.conversionCount();
                ex.trainStep(2);
                return new long[] {backend.reorderCount(false) - before, backend.conversionCount() - conversions};
            } finally {
                for (Tensor t : grads) {
                    t.close();
                }
            }
        }
    }

    /**
     * LeNet-5 with batch norm and dropout: with NHWC activations a step reorders only the input (FP32
     * NCHW from the host into the plan's format) and the Flatten's forward and backward (C, H, W order
     * for Dense), where every convolution pass of the NCHW plan reorders its activations in and out of
     * oneDNN's blocked layout. The first convolution reads a 1-channel image, which oneDNN takes as is.
     */
    @Test
    void aStepReordersActivationsOnlyWhereTheGraphNeedsIt() {
        Model m = TestModels.lenet5WithBatchNormAndDropout(CLASSES, 0.5);
        long nhwc = reordersPerStep(m, Precision.FP32, Layout.NHWC);
        long nchw = reordersPerStep(m, Precision.FP32, Layout.NCHW);
        String what = "activation reorders per step: NHWC plan " + nhwc + ", NCHW plan " + nchw;
        System.out.println(what);
        assertTrue(nhwc <= 3, what);
        assertTrue(nchw > 2 * nhwc, what);
        if (CpuBackend.nativeBf16()) {
            long[] bf16 = perStep(m, Precision.BF16, Layout.NHWC, BATCH);
            assertTrue(bf16[0] <= 3, what + ", BF16 NHWC plan " + bf16[0]);
            // Dense layers compute BF16 from DenseOp.BF16_MIN_ROWS rows on: then FP32 features are rounded
            // to BF16 for each one's matmuls (x forward, dy backward-data, x and dy backward-weights).
            assertEquals(0, bf16[1], "BF16 conversions per step at batch " + BATCH + " (dense layers in FP32)");
            int big = (int) org.convnet4j.ops.DenseOp.BF16_MIN_ROWS;
            long[] large = perStep(m, Precision.BF16, Layout.NHWC, big);
            long dense = m.nodes().stream().filter(n -> n.layer() instanceof org.convnet4j.graph.layers.Dense).count();
            assertEquals(4 * dense, large[1], "BF16 conversions per step at batch " + big + ", " + dense + " dense layers");
            assertTrue(large[0] <= 3, what + ", BF16 NHWC plan at batch " + big + ": " + large[0]);
            assertEquals(0, perStep(m, Precision.FP32, Layout.NHWC, big)[1], "FP32 conversions per step");
        }
    }

    /**
     * The frozen predictor keeps every image activation NHWC too (convolutions, pools, batch norm read
     * and write channels-last), so a call reorders only the input and the Flatten; before it kept NHWC
     * only between frozen convolutions, and this model reordered 3 times a call (around its pools).
     */
    @Test
    void aFrozenPredictionReordersOnlyWhereTheGraphNeedsIt() {
        Model m = TestModels.lenet5WithBatchNormAndDropout(CLASSES, 0.5);
        try (Weights w = new Weights(m, backend)) {
            w.initialize(3);
            try (Predictor p = new Predictor(m, w, 2)) {
                float[] images = new float[2 * 28 * 28];
                p.predict(images, 2);
                long before = backend.reorderCount(false);
                p.predict(images, 2);
                long reorders = backend.reorderCount(false) - before;
                assertTrue(reorders <= 2, "activation reorders per frozen prediction: " + reorders);
            }
        }
    }
}
