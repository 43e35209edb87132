package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.convnet4j.backend.Backends;
import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.TestModels;
import org.convnet4j.graph.Weights;
import org.convnet4j.io.CheckpointException;
import org.convnet4j.io.SafeTensors;
import org.convnet4j.ops.Adam;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic loss scaling (PyTorch's GradScaler rules) on the CPU in FP32, where power-of-two scaling is
 * exact: scaled training gives the very bits of unscaled training; an infinite or NaN gradient skips
 * the update, leaves the iteration count and halves the scale; the scale doubles after the growth
 * interval; the state survives a checkpoint.
 */
class LossScalerTest {
    private static final int CLASSES = 10;
    private static final int BATCH = 16;

    private static Backend backend;
    private static SyntheticImages data;

    @BeforeAll
    static void open() {
        backend = Backends.create("cpu");
        data = SyntheticImages.make(96, CLASSES, 11);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @Test
    void scaleFollowsGradScalerRulesHandComputed() {
        LossScaler s = new LossScaler(8f, 2f, 0.5f, 2);
        // ok, ok -> grows; inf -> halves and restarts the count; ok; NaN -> halves; ok, ok -> grows
        assertEquals(8f, s.scale());
        s.success();
        assertEquals(8f, s.scale());
        assertEquals(1, s.goodSteps());
        s.success();
        assertEquals(16f, s.scale());
        assertEquals(0, s.goodSteps());
        s.success();
        s.overflow();
        assertEquals(8f, s.scale());
        assertEquals(0, s.goodSteps());
        s.success();
        s.overflow();
        assertEquals(4f, s.scale());
        s.success();
        s.success();
        assertEquals(8f, s.scale());

        LossScaler d = LossScaler.dynamic();
        assertEquals(65536f, d.scale());
        for (int i = 0; i < 1999; i++) {
            d.success();
        }
        assertEquals(65536f, d.scale(), "no growth before 2000 good steps");
        d.success();
        assertEquals(131072f, d.scale(), "growth after 2000 good steps");
        d.overflow();
        assertEquals(65536f, d.scale());
    }

    @Test
    void scaleStaysWithinItsBoundsAndDivergenceThrows() {
        LossScaler top = new LossScaler(LossScaler.MAX_SCALE, 2f, 0.5f, 1);
        top.success();
        assertEquals(LossScaler.MAX_SCALE, top.scale());
        LossScaler bottom = new LossScaler(0x1p-23f, 2f, 0.5f, 1);
        bottom.overflow();
        assertEquals(LossScaler.MIN_SCALE, bottom.scale());
        assertThrows(LossScaler.NonFiniteGradientException.class, bottom::overflow);
        assertThrows(IllegalArgumentException.class, () -> new LossScaler(3f, 2f, 0.5f, 1));
        assertThrows(IllegalArgumentException.class, () -> new LossScaler(8f, 3f, 0.5f, 1));
        assertThrows(IllegalArgumentException.class, () -> new LossScaler(8f, 2f, 0.75f, 1));
        assertThrows(IllegalArgumentException.class, () -> new LossScaler(8f, 2f, 0.5f, 0));
        assertThrows(IllegalArgumentException.class, () -> new LossScaler(0x1p30f, 2f, 0.5f, 1));
        assertThrows(IllegalArgumentException.class, () -> top.restore(4f, 1));
        assertThrows(IllegalArgumentException.class, () -> top.restore(3f, 0));
    }

    /** Weights after {@code steps} Adam steps, with a scaler of interval 3 or without one; losses into losses. */
    private static float[][] train(LossScaler scaler, int steps, double[] losses) {
        return train(scaler, steps, losses, 0, null);
    }

    /** As above, clipping to global norm clip (0: off); the norms before clipping into norms (may be null). */
    private static float[][] train(LossScaler scaler, int steps, double[] losses, double clip, double[] norms) {
        Model m = TestModels.lenet5WithBatchNormAndDropout(CLASSES, 0.25);
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras()).lossScaler(scaler).clipByGlobalNorm(clip);
             Trainer trainer = new Trainer(m, backend, w, adam, Precision.FP32)) {
            w.initialize(5);
            int batches = data.count() / BATCH;
            for (int s = 0; s < steps; s++) {
                int b = s % batches;
                losses[s] = trainer.trainBatch(data.images(b * BATCH, BATCH), data.labels(b * BATCH, BATCH), BATCH)
                        .loss();
                if (norms != null) {
                    norms[s] = adam.lastGradientNorm();
                }
            }
            assertEquals(steps, adam.iterations());
            assertEquals(0, adam.skippedSteps());
            float[][] out = new float[m.params().size()][];
            for (ParamRef p : m.params()) {
                out[p.index()] = w.read(p);
            }
            return out;
        }
    }

    @Test
    void scaledFp32TrainingIsBitIdenticalToUnscaled() {
        int steps = 8;
        double[] plainLoss = new double[steps];
        double[] scaledLoss = new double[steps];
        float[][] plain = train(null, steps, plainLoss);
        LossScaler scaler = new LossScaler(0x1p16f, 2f, 0.5f, 3);
        float[][] scaled = train(scaler, steps, scaledLoss);
        assertEquals(0x1p18f, scaler.scale(), "two growths in 8 good steps at interval 3");
        assertArrayEquals(plainLoss, scaledLoss, 0.0, "the loss reported is unscaled, to the bit");
        for (int i = 0; i < plain.length; i++) {
            assertArrayEquals(plain[i], scaled[i], 0f, "parameter " + i + " differs with power-of-two loss scaling");
        }
    }

    /** Clipping sees the unscaled gradients: the same norms and the same weights as without scaling. */
    @Test
    void clippingAfterUnscalingIsBitIdenticalToUnscaledClipping() {
        int steps = 5;
        double[] plainNorms = new double[steps];
        double[] scaledNorms = new double[steps];
        float[][] plain = train(null, steps, new double[steps], 0.05, plainNorms);
        float[][] scaled = train(new LossScaler(0x1p12f, 2f, 0.5f, 2000), steps, new double[steps], 0.05, scaledNorms);
        assertArrayEquals(plainNorms, scaledNorms, 0.0, "global norms before clipping");
        assertTrue(plainNorms[0] > 0.05, "the limit clips: " + plainNorms[0]);
        for (int i = 0; i < plain.length; i++) {
            assertArrayEquals(plain[i], scaled[i], 0f, "parameter " + i);
        }
    }

    @Test
    void nonFiniteGradientSkipsTheUpdateAndHalvesTheScale() {
        Model m = TestModels.lenet5WithBatchNormAndDropout(CLASSES, 0.25);
        try (Weights w = new Weights(m, backend);
             Optimizer sgd = Optimizer.sgd(m, backend, new SgdMomentum(0.5f, 0f))
                     .lossScaler(new LossScaler(8f, 2f, 0.5f, 2))) {
            w.initialize(2);
            Tensor[] grads = new Tensor[m.params().size()];
            ParamRef first = null;
            for (ParamRef p : m.params()) {
                if (p.trainable()) {
                    grads[p.index()] = backend.allocate(p.spec().shape());
                    first = first == null ? p : first;
                }
            }
            try {
                float[] before = w.read(first);
                // every gradient is 3 * scale: unscaled 3, SGD without momentum moves by -0.5 * 3
                fillAll(grads, 3f * 8f);
                backend.fill(grads[first.index()], Float.POSITIVE_INFINITY);
                assertFalse(sgd.step(w, grads), "an infinite gradient skips the step");
                assertEquals(0, sgd.iterations(), "a skipped step is not counted");
                assertEquals(4f, sgd.lossScale());
                assertArrayEquals(before, w.read(first), 0f, "a skipped step leaves the weights");

                fillAll(grads, 3f * 4f);
                assertTrue(sgd.step(w, grads));
                assertEquals(1, sgd.iterations());
                float[] after = w.read(first);
                for (int i = 0; i < after.length; i++) {
                    assertEquals(before[i] - 1.5f, after[i], 0f, "element " + i);
                }
                fillAll(grads, 3f * 4f);
                backend.fill(grads[first.index()], Float.NaN);
                assertFalse(sgd.step(w, grads), "a NaN gradient skips the step");
                assertEquals(2f, sgd.lossScale());
                assertEquals(1, sgd.iterations());
                assertEquals(2, sgd.skippedSteps());
                assertArrayEquals(after, w.read(first), 0f);
                fillAll(grads, 3f * 2f);
                assertTrue(sgd.step(w, grads));
                fillAll(grads, 3f * 2f);
                assertTrue(sgd.step(w, grads));
                assertEquals(4f, sgd.lossScale(), "doubled after 2 good steps in a row");
                assertEquals(3, sgd.iterations());
            } finally {
                for (Tensor g : grads) {
                    if (g != null) {
                        g.close();
                    }
                }
            }
        }
    }

    private static void fillAll(Tensor[] grads, float v) {
        for (Tensor g : grads) {
            if (g != null) {
                backend.fill(g, v);
            }
        }
    }

    @Test
    void checkpointKeepsTheScalerStateAndStaysInterchangeable(@TempDir Path dir) {
        Model m = TestModels.lenet5WithBatchNormAndDropout(CLASSES, 0.25);
        Path scaledFile = dir.resolve("scaled.safetensors");
        Path plainFile = dir.resolve("plain.safetensors");
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras()).lossScaler(new LossScaler(8f, 2f, 0.5f, 5));
             Trainer trainer = new Trainer(m, backend, w, adam, Precision.FP32)) {
            w.initialize(5);
            for (int s = 0; s < 3; s++) {
                trainer.trainBatch(data.images(s * BATCH, BATCH), data.labels(s * BATCH, BATCH), BATCH);
            }
            assertEquals(3, adam.lossScaler().goodSteps());
            Checkpoints.save(scaledFile, trainer, 1, 5);
        }
        assertEquals(8f, SafeTensors.read(scaledFile).tensor(Checkpoints.LOSS_SCALE).toFloats()[0]);
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras()).lossScaler(new LossScaler(0x1p10f, 2f, 0.5f, 5));
             Trainer trainer = new Trainer(m, backend, w, adam, Precision.FP32)) {
            Checkpoints.loadTrainingState(scaledFile, trainer);
            assertEquals(8f, adam.lossScale());
            assertEquals(3, adam.lossScaler().goodSteps());
            assertEquals(3, adam.iterations());
        }
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer trainer = new Trainer(m, backend, w, adam, Precision.FP32)) {
            Checkpoints.loadTrainingState(scaledFile, trainer);
            assertEquals(1f, adam.lossScale(), "a scaled run's file resumes without scaling");
            Checkpoints.save(plainFile, trainer, 1, 5);
        }
        assertFalse(SafeTensors.read(plainFile).tensors().containsKey(Checkpoints.LOSS_SCALE));
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras()).lossScaler(new LossScaler(0x1p10f, 2f, 0.5f, 5));
             Trainer trainer = new Trainer(m, backend, w, adam, Precision.FP32)) {
            Checkpoints.loadTrainingState(plainFile, trainer);
            assertEquals(0x1p10f, adam.lossScale(), "an unscaled run's file leaves the scaler at its start");
            assertEquals(3, adam.iterations());
        }
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras()).lossScaler(new LossScaler(8f, 2f, 0.5f, 2));
             Trainer trainer = new Trainer(m, backend, w, adam, Precision.FP32)) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> Checkpoints.loadTrainingState(scaledFile, trainer));
            assertTrue(e.getMessage().contains("goodSteps"), e.getMessage());
        }
    }

    @Test
    void cpuRefusesFp16NamingWhatItLacks() {
        Model m = TestModels.lenet5WithBatchNormAndDropout(CLASSES, 0.25);
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras())) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> new Trainer(m, backend, w, adam, Precision.FP16));
            assertTrue(e.getMessage().contains("fp16") && e.getMessage().contains("f16"), e.getMessage());
            assertEquals(null, adam.lossScaler(), "a refused precision installs no scaler");
        }
        assertTrue(Precision.FP16.lossScaling());
        assertFalse(Precision.BF16.lossScaling());
        assertEquals(Precision.FP16, Precision.parse("FP16"));
    }
}
