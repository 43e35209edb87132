package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.BackendCases;
import org.convnet4j.graph.ExecutionPlan;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.TestModels;
import org.convnet4j.graph.Weights;
import org.convnet4j.ops.Adam;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.junit.jupiter.api.Test;

/**
 * Mixed-precision training on CUDA: fp16 with dynamic loss scaling and bf16 learn what fp32 learns
 * (the CPU's {@link MixedPrecisionTrainingTest} criteria), and an fp16 run started at a loss scale
 * that overflows backs off by itself. Skipped visibly without a GPU (BackendCases); until a GPU has
 * run them these cases are written but unverified. The plan test runs anywhere.
 */
class CudaMixedPrecisionTrainingTest {
    private static final int CLASSES = 10;
    private static final int BATCH = 32;

    /** {training accuracy of the last pass, its mean loss, skipped steps, final loss scale (1 without)}. */
    private static double[] train(Backend backend, SyntheticImages data, Precision precision, LossScaler scaler,
                                  int epochs) {
        Model m = TestModels.lenet5WithBatchNormAndDropout(CLASSES, 0.25);
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras()).lossScaler(scaler);
             Trainer trainer = new Trainer(m, backend, w, adam, precision)) {
            w.initialize(3);
            double loss = 0;
            int right = 0;
            int steps = data.count() / BATCH;
            for (int epoch = 0; epoch < epochs; epoch++) {
                loss = 0;
                right = 0;
                for (int s = 0; s < steps; s++) {
                    Trainer.BatchResult r = trainer.trainBatch(data.images(s * BATCH, BATCH),
                            data.labels(s * BATCH, BATCH), BATCH);
                    loss += r.loss() / steps;
                    right += r.correct();
                }
            }
            return new double[] {right / (double) data.count(), loss, adam.skippedSteps(), adam.lossScale()};
        }
    }

    /**
     * fp16 (loss scaling on, as the trainer sets it) and bf16 on CUDA: the last pass's training
     * accuracy above 90% and within 5 points of fp32's on the same GPU, and fp16 skipped at most a
     * tenth of its steps.
     */
    @Test
    void fp16WithLossScalingAndBf16LearnWhatFp32LearnsOnCuda() {
        try (Backend cuda = BackendCases.open("cuda")) {
            SyntheticImages data = SyntheticImages.make(320, CLASSES, 7);
            double[] fp32 = train(cuda, data, Precision.FP32, null, 3);
            double[] fp16 = train(cuda, data, Precision.FP16, null, 3);
            double[] bf16 = train(cuda, data, Precision.BF16, null, 3);
            String what = String.format("fp32: accuracy %.4f, loss %.4f; fp16: accuracy %.4f, loss %.4f, %d steps"
                    + " skipped, scale %.0f; bf16: accuracy %.4f, loss %.4f", fp32[0], fp32[1], fp16[0], fp16[1],
                    (long) fp16[2], fp16[3], bf16[0], bf16[1]);
            System.out.println("[cuda] " + what);
            assertTrue(fp32[0] > 0.9 && fp16[0] > 0.9 && bf16[0] > 0.9, what);
            assertTrue(Math.abs(fp32[0] - fp16[0]) <= 0.05 && Math.abs(fp32[0] - bf16[0]) <= 0.05, what);
            assertTrue(fp16[2] <= 3, "fp16 skipped more than a tenth of its 30 steps: " + what);
        }
    }

    /**
     * Started at 2^24, fp16 gradients overflow (a loss gradient of 1/32 scaled to 2^19 is already
     * beyond 65504): the first steps are skipped and the scale halves until they fit, and the run
     * still learns.
     */
    @Test
    void anOverflowingFp16ScaleBacksOffOnCuda() {
        try (Backend cuda = BackendCases.open("cuda")) {
            SyntheticImages data = SyntheticImages.make(320, CLASSES, 7);
            double[] r = train(cuda, data, Precision.FP16, new LossScaler(LossScaler.MAX_SCALE, 2f, 0.5f, 2000), 3);
            String what = String.format("accuracy %.4f, %d steps skipped, final scale %.0f", r[0], (long) r[2], r[3]);
            System.out.println("[cuda] " + what);
            assertTrue(r[2] >= 1 && r[3] < LossScaler.MAX_SCALE, what);
            assertTrue(r[0] > 0.8, what);
        }
    }

    /** An fp16 plan keeps image activations and their gradients in FP16 NHWC, the rest FP32 NCHW (any machine). */
    @Test
    void anFp16PlanStoresImageActivationsInHalfNhwc() {
        Model m = TestModels.lenet5WithBatchNormAndDropout(CLASSES, 0.5);
        ExecutionPlan plan = ExecutionPlan.training(m, BATCH, Precision.FP16, Layout.NHWC);
        for (ExecutionPlan.Step s : plan.steps()) {
            boolean image = s.activation().shape().rank() == 4;
            assertEquals(image ? DType.FP16 : DType.FP32, s.activation().dtype(), s.node().toString());
            assertEquals(image ? Layout.NHWC : Layout.NCHW, s.activation().layout(), s.node().toString());
            if (s.gradient() != null) {
                assertEquals(s.activation().dtype(), s.gradient().dtype(), s.node().toString());
            }
        }
        assertTrue(plan.arenaBytes() < ExecutionPlan.training(m, BATCH).arenaBytes(),
                "fp16 activations take half the bytes of fp32 ones");
    }
}
