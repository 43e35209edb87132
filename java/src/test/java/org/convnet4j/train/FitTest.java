package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.data.Dataset;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.report.History;
import org.convnet4j.report.TensorBoardReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fit loop's hooks and outputs on a tiny run: callbacks in Keras' order with every step's
 * numbers, the schedule's rate taken by every step, the CSV logger, the TensorBoard files, the
 * progress shown while validating, clipping's effect on a step, and the old positional entry point.
 */
class FitTest {
    private static final int BATCH = 16;
    private static Backend backend;
    private static Dataset train;
    private static Dataset test;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        backend = Backends.create("cpu");
        train = TinyRuns.data(40, 1);   // 3 batches: 16, 16, 8
        test = TinyRuns.data(20, 2);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static Learner learner() {
        return Learner.builder(TinyRuns.model()).backend(backend).seed(3).build();
    }

    private static FitSettings.Builder quiet() {
        return FitSettings.builder().batchSize(BATCH).seed(5).out(new PrintStream(new ByteArrayOutputStream()))
                .liveProgress(false);
    }

    /** Records every hook as a line. */
    private static final class Recorder implements Callback {
        final List<String> calls = new ArrayList<>();
        final List<BatchEnd> batches = new ArrayList<>();
        int stopAfter = Integer.MAX_VALUE;

        @Override
        public void onTrainBegin(TrainBegin run, Trainer t) {
            calls.add("trainBegin " + run.firstEpoch() + ".." + run.epochs() + " x" + run.batchesPerEpoch());
        }

        @Override
        public void onEpochBegin(int epoch, Trainer t) {
            calls.add("epochBegin " + epoch);
        }

        @Override
        public void onBatchEnd(BatchEnd b, Trainer t) {
            calls.add("batch " + b.epoch() + "." + b.batch() + "/" + b.batches() + " step " + b.step() + " n" + b.count());
            batches.add(b);
        }

        @Override
        public boolean onEpochEnd(History.Epoch e, Trainer t) {
            calls.add("epochEnd " + e.epoch());
            return e.epoch() >= stopAfter;
        }

        @Override
        public void onTrainEnd(Trainer t) {
            calls.add("trainEnd");
        }
    }

    @Test
    void callbacksSeeEveryStepInKerasOrderWithTheScheduledRate() {
        Recorder r = new Recorder();
        try (Learner l = learner()) {
            Fit.Result result = l.fit(train, quiet().epochs(2).validation(test).schedule(LearningRateSchedule.step(1, 0.5))
                    .callbacks(r).build());
            assertEquals(2, result.history().size());
        }
        assertEquals(List.of("trainBegin 1..2 x3", "epochBegin 1", "batch 1.1/3 step 1 n16", "batch 1.2/3 step 2 n16",
                "batch 1.3/3 step 3 n8", "epochEnd 1", "epochBegin 2", "batch 2.1/3 step 4 n16", "batch 2.2/3 step 5 n16",
                "batch 2.3/3 step 6 n8", "epochEnd 2", "trainEnd"), r.calls);
        double[] rates = r.batches.stream().mapToDouble(Callback.BatchEnd::learningRate).toArray();
        double lr = 1e-3f; // Keras' Adam, as the float the optimizer holds
        assertArrayEquals(new double[] {lr, lr, lr, lr / 2, lr / 2, lr / 2}, rates, 0);
        Callback.BatchEnd third = r.batches.get(2);
        assertEquals((16 * r.batches.get(0).loss() + 16 * r.batches.get(1).loss() + 8 * third.loss()) / 40,
                third.meanLoss(), 1e-12, "the running mean weighs each batch by its images");
        assertTrue(Double.isNaN(third.gradientNorm()), "no clipping, no norm");
    }

    @Test
    void aCallbackStopsTheRunAndTheResultSaysSo() {
        Recorder r = new Recorder();
        r.stopAfter = 1;
        try (Learner l = learner()) {
            Fit.Result result = l.fit(train, quiet().epochs(3).callbacks(r).build());
            assertTrue(result.stoppedEarly());
            assertEquals(1, result.history().size());
        }
        assertEquals("trainBegin 1..3 x3", r.calls.get(0));
        assertEquals("trainEnd", r.calls.get(r.calls.size() - 1));
        try (Learner l = learner()) {
            assertTrue(!l.fit(train, quiet().epochs(1).build()).stoppedEarly(), "a run that ends is not stopped early");
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void theOldPositionalRunIsTheSameRun() {
        float[] viaOld;
        float[] viaNew;
        try (Learner l = learner()) {
            History h = new History();
            Fit.run(l.trainer(), train, test, new Fit.Options(2, BATCH, 5, 1, false), h, List.of(),
                    new PrintStream(new ByteArrayOutputStream()));
            assertEquals(2, h.size());
            viaOld = l.weights().read(l.model().params().get(0));
        }
        try (Learner l = learner()) {
            l.fit(train, quiet().epochs(2).validation(test).build());
            viaNew = l.weights().read(l.model().params().get(0));
        }
        assertArrayEquals(viaOld, viaNew);
    }

    @Test
    void theCsvLoggerWritesARowPerEpochAndAResumedRunReplacesLaterRows() throws IOException {
        Path csv = dir.resolve("log.csv");
        try (Learner l = learner()) {
            l.fit(train, quiet().epochs(2).validation(test).schedule(LearningRateSchedule.step(1, 0.5))
                    .callbacks(new CsvLogger(csv)).build());
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(CsvLogger.HEADER, lines.get(0));
        assertEquals(3, lines.size(), lines.toString());
        String[] second = lines.get(2).split(",", -1);
        assertEquals("2", second[0]);
        assertEquals(5e-4, Double.parseDouble(second[5]), 1e-10, "the rate epoch 2 ended at");
        assertTrue(Double.parseDouble(second[4]) >= 0, "val_accuracy: " + lines.get(2));

        // A run resumed after epoch 1 keeps row 1 and replaces row 2; without append a run starts afresh.
        try (Learner l = learner()) {
            History h = new History();
            h.add(History.Epoch.train(1, 1, 0.5, 1));
            l.fit(train, quiet().epochs(2).initialEpoch(1).history(h).callbacks(new CsvLogger(csv, true)).build());
        }
        List<String> resumed = Files.readAllLines(csv);
        assertEquals(List.of(lines.get(0), lines.get(1)), resumed.subList(0, 2));
        assertEquals(3, resumed.size(), resumed.toString());
        assertTrue(resumed.get(2).startsWith("2,") && resumed.get(2).contains(",,"), "no validation this time: "
                + resumed.get(2));
        try (Learner l = learner()) {
            l.fit(train, quiet().epochs(1).callbacks(new CsvLogger(csv)).build());
        }
        assertEquals(2, Files.readAllLines(csv).size());
    }

    @Test
    void tensorBoardWritesKerasTagsForStepsAndEpochs() throws IOException {
        TensorBoard tb = new TensorBoard(dir.resolve("tb"));
        Recorder r = new Recorder();
        try (Learner l = learner()) {
            l.fit(train, quiet().epochs(2).validation(test).schedule(LearningRateSchedule.exponential(0.5))
                    .callbacks(r, tb).build());
        }
        List<TensorBoardReader.Event> events = TensorBoardReader.read(tb.trainFile());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        List<String> tagsAtStep3 = new ArrayList<>();
        for (TensorBoardReader.Event e : events.subList(1, events.size())) {
            TensorBoardReader.Value v = e.values().get(0);
            if (v.tag().startsWith("batch_") && e.step() == 3) {
                tagsAtStep3.add(v.tag());
            }
            if (v.tag().equals("batch_learning_rate")) {
                assertEquals((float) r.batches.get((int) e.step() - 1).learningRate(), v.simpleValue(), "step " + e.step());
            }
            if (v.tag().equals("batch_loss")) {
                assertEquals((float) r.batches.get((int) e.step() - 1).meanLoss(), v.simpleValue(), "step " + e.step());
            }
        }
        assertEquals(List.of("batch_loss", "batch_accuracy", "batch_learning_rate"), tagsAtStep3);
        assertEquals(2 * 3 * 3 + 2 * 3 + 1, events.size(), "6 steps x 3 batch scalars, 2 epochs x 3, the version");
        List<TensorBoardReader.Event> validation = TensorBoardReader.read(tb.validationFile());
        assertEquals(List.of("epoch_loss@1", "epoch_accuracy@1", "epoch_loss@2", "epoch_accuracy@2"),
                validation.subList(1, validation.size()).stream().map(e -> e.values().get(0).tag() + "@" + e.step())
                        .toList());
        assertEquals(dir.resolve("tb").resolve("validation"), tb.validationFile().getParent());
    }

    @Test
    void validationShowsItsProgressOnALiveLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Learner l = learner()) {
            l.fit(train, quiet().epochs(1).batchSize(4).validation(test).liveProgress(true)
                    .out(new PrintStream(bytes, true, StandardCharsets.UTF_8)).build());
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains(" - validating: 1/5 - ETA: "), out);
        assertTrue(out.contains("10/10 [==============================]"), out);
        assertTrue(out.endsWith("\n") && out.contains("val_loss: "), out);
    }

    /**
     * SGD without momentum takes {@code p -= lr g}; clipped to global norm c, the whole step has length
     * exactly lr c whenever the gradients' norm exceeds c.
     */
    @Test
    void clippingBoundsTheLengthOfAStepByTheLimit() {
        double lr = 0.1;
        double c = 1e-3;
        try (Learner l = Learner.builder(TinyRuns.model()).backend(backend).optimizer(new SgdMomentum((float) lr, 0f))
                .clipGlobalNorm(c).seed(3).build()) {
            List<float[]> before = new ArrayList<>();
            for (ParamRef p : l.model().params()) {
                before.add(l.weights().read(p));
            }
            Recorder r = new Recorder();
            l.fit(TinyRuns.data(16, 9), quiet().epochs(1).callbacks(r).build());
            double step = 0;
            for (ParamRef p : l.model().params()) {
                if (!p.spec().trainable()) {
                    continue;
                }
                float[] now = l.weights().read(p);
                for (int i = 0; i < now.length; i++) {
                    double d = now[i] - (double) before.get(p.index())[i];
                    step += d * d;
                }
            }
            assertTrue(r.batches.get(0).gradientNorm() > 100 * c, "the gradients are far above the limit");
            assertEquals(lr * c, Math.sqrt(step), lr * c * 1e-3, "the step's length");
            assertEquals(c, l.optimizer().clipNorm());
        }
    }

    @Test
    void aPlateauOnValidationMetricsNeedsValidationData() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> quiet()
                .reduceLrOnPlateau(ReduceLROnPlateau.keras()).build());
        assertTrue(e.getMessage().contains("monitors val_loss but there is no validation data"), e.getMessage());
    }
}
