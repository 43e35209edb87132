package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.data.Augmentation;
import org.convnet4j.data.Dataset;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.ops.Adam;
import org.convnet4j.report.History;
import org.convnet4j.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Learner: it closes what it opened and only that, fit, evaluate and predict agree with each
 * other, and a run killed after a checkpoint and resumed from it ends exactly where an uninterrupted
 * run ends, with every feature that carries state across epochs turned on.
 */
class LearnerTest {
    @TempDir
    Path dir;

    @Test
    void itClosesWhatItOpenedAndLeavesABorrowedBackendOpen() {
        Learner owned = Learner.builder(TinyRuns.model()).backend("cpu").build();
        Backend b = owned.backend();
        owned.close();
        assertThrows(IllegalStateException.class, () -> b.allocate(Shape.of(1)), "its own backend is closed");

        try (Backend mine = Backends.create("cpu")) {
            long before = mine.pool().stats().inUseBytes();
            Learner l = Learner.builder(TinyRuns.model()).backend(mine).build();
            l.fit(TinyRuns.data(16, 1), quiet().epochs(1).build());
            assertTrue(mine.pool().stats().inUseBytes() > before);
            l.close();
            assertEquals(before, mine.pool().stats().inUseBytes(), "weights, moments, gradients, executors returned");
            mine.allocate(Shape.of(1)).close();
        }
    }

    @Test
    void evaluateAndPredictAgree() {
        Dataset test = TinyRuns.data(20, 2);
        try (Learner l = Learner.builder(TinyRuns.model()).backend("cpu").seed(2).build()) {
            l.fit(TinyRuns.data(64, 1), quiet().epochs(3).build());
            Trainer.BatchResult r = l.evaluate(test, 8);
            float[] p = l.predict(test, 7);
            assertEquals(20 * TinyRuns.CLASSES, p.length);
            int right = 0;
            for (int i = 0; i < 20; i++) {
                int best = 0;
                for (int c = 1; c < TinyRuns.CLASSES; c++) {
                    best = p[i * TinyRuns.CLASSES + c] > p[i * TinyRuns.CLASSES + best] ? c : best;
                }
                right += best == test.label(i) ? 1 : 0;
            }
            assertEquals(r.correct(), right);
            assertEquals((double) right / 20, l.evaluate(test).accuracy(), 0);
            float[] one = new float[test.imageSize()];
            test.copyScaled(3, one, 0);
            assertArrayEquals(java.util.Arrays.copyOfRange(p, 3 * TinyRuns.CLASSES, 4 * TinyRuns.CLASSES),
                    l.predict(one, 1), 1e-6f);
        }
    }

    /** Stands in for a kill: the run dies after the checkpoint of epoch {@code after} is written. */
    private static final class Kill implements Callback {
        private final int after;

        Kill(int after) {
            this.after = after;
        }

        @Override
        public boolean onEpochEnd(History.Epoch e, Trainer t) {
            if (e.epoch() == after) {
                throw new IllegalStateException("killed after epoch " + after);
            }
            return false;
        }
    }

    /**
     * Cosine with warmup (its rate depends on the step and the run's length), ReduceLROnPlateau
     * (which reduces at epochs 2, 3 and 4 here, so its state before the kill matters), AdamW, clipping
     * and augmentation: a run killed after epoch 2 and resumed from its checkpoint ends with the same
     * weights, moments and history as one that never stopped.
     */
    @Test
    void aResumedRunEndsIdenticalToAnUninterruptedOne() {
        Dataset train = TinyRuns.data(40, 1);
        Dataset test = TinyRuns.data(12, 2);
        Path whole = dir.resolve("whole.safetensors");
        Path split = dir.resolve("split.safetensors");
        List<Double> wholeRates = new ArrayList<>();
        List<Double> splitRates = new ArrayList<>();

        try (Learner l = learner()) {
            History h = new History();
            l.fit(train, settings(test, h, rates(wholeRates), new ModelCheckpoint(whole, Monitor.LOSS, false, 5, h)));
        }
        try (Learner l = learner()) {
            History h = new History();
            IllegalStateException killed = assertThrows(IllegalStateException.class, () -> l.fit(train,
                    settings(test, h, rates(splitRates), new ModelCheckpoint(split, Monitor.LOSS, false, 5, h),
                            new Kill(2))));
            assertEquals("killed after epoch 2", killed.getMessage());
        }
        try (Learner l = learner()) {
            Learner.Resumed r = l.resume(split);
            assertEquals(2, r.epoch());
            assertEquals(2, r.history().size());
            l.fit(train, settings(test, r.history(), rates(splitRates), new ModelCheckpoint(split, Monitor.LOSS, false, 5,
                    r.history())).toBuilder().resumeFrom(r).build());
        }
        assertEquals(wholeRates, splitRates, "every step's learning rate");
        assertTrue(wholeRates.get(wholeRates.size() - 1) < 1e-6, "the plateau reduced three times: " + wholeRates);
        var a = org.convnet4j.io.SafeTensors.read(whole);
        var b = org.convnet4j.io.SafeTensors.read(split);
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (String key : a.tensors().keySet()) {
            assertEquals(a.tensor(key).data(), b.tensor(key).data(), key + " bit for bit");
        }
        History ha = Checkpoints.history(a, dir.resolve("none"));
        History hb = Checkpoints.history(b, dir.resolve("none"));
        assertEquals(4, hb.size());
        for (int e = 0; e < 4; e++) {
            assertEquals(ha.epochs().get(e).loss(), hb.epochs().get(e).loss(), 0, "epoch " + (e + 1));
            assertEquals(ha.epochs().get(e).valLoss(), hb.epochs().get(e).valLoss(), 0, "epoch " + (e + 1));
        }
    }

    private static Learner learner() {
        return Learner.builder(TinyRuns.model()).backend("cpu").optimizer(Adam.keras().withWeightDecay(0.05f))
                .clipGlobalNorm(0.5).seed(4).build();
    }

    private static FitSettings settings(Dataset test, History h, Callback... callbacks) {
        return quiet().epochs(4).seed(5).validation(test).history(h).schedule(LearningRateSchedule.cosine(1))
                .reduceLrOnPlateau(ReduceLROnPlateau.keras().withMonitor(Monitor.LOSS).withPatience(1).withMinDelta(100))
                .augmentation(Augmentation.parse("flip,crop:1,translate:0.2")).callbacks(callbacks).build();
    }

    private static Callback rates(List<Double> into) {
        return new Callback() {
            @Override
            public void onBatchEnd(BatchEnd b, Trainer t) {
                into.add(b.learningRate());
            }
        };
    }

    private static FitSettings.Builder quiet() {
        return FitSettings.builder().batchSize(16).out(new PrintStream(new ByteArrayOutputStream())).liveProgress(false);
    }

    @Test
    void weightsReadBackAreTheOnesTrained() {
        try (Learner l = Learner.builder(TinyRuns.model()).backend("cpu").build()) {
            ParamRef first = l.model().params().get(0);
            float[] before = l.weights().read(first);
            l.fit(TinyRuns.data(16, 1), quiet().epochs(1).build());
            assertTrue(!java.util.Arrays.equals(before, l.weights().read(first)));
            assertEquals(1, l.optimizer().iterations());
        }
    }
}
