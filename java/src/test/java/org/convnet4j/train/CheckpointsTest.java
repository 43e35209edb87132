package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.TestModels;
import org.convnet4j.graph.Weights;
import org.convnet4j.io.Checkpoint;
import org.convnet4j.io.CheckpointException;
import org.convnet4j.io.NamedTensor;
import org.convnet4j.io.SafeTensors;
import org.convnet4j.ops.Adam;
import org.convnet4j.report.History;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saving a trainer and loading back: the weights alone into bare {@link Weights} (no trainer, no
 * optimizer) or the full training state into a trainer, and the clear errors for a file that does not
 * match. The model has batch norm, so the moving statistics must travel with the weights.
 */
class CheckpointsTest {
    private static final int BATCH = 16;
    private static final int CLASSES = 10;

    @TempDir
    static Path dir;
    private static Backend backend;
    private static SyntheticImages data;
    /** A trainer's state after a few steps, saved once; the probabilities it predicted for {@link #x}. */
    private static Path saved;
    private static float[] x;
    private static float[] predicted;
    private static List<float[]> trainedWeights;

    @BeforeAll
    static void train() {
        backend = Backends.create("cpu");
        data = SyntheticImages.make(160, CLASSES, 5);
        x = data.images(100, BATCH);
        saved = dir.resolve("trained.safetensors");
        Model m = model();
        try (Weights w = new Weights(m, backend); Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer t = new Trainer(m, backend, w, adam)) {
            w.initialize(4);
            for (int step = 0; step < 4; step++) {
                t.trainBatch(data.images(step * BATCH, BATCH), data.labels(step * BATCH, BATCH), BATCH);
            }
            Checkpoints.save(saved, t, 3, 4);
            predicted = t.predictBatch(x, BATCH);
            trainedWeights = read(w);
        }
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static Model model() {
        return TestModels.lenet5WithBatchNormAndDropout(CLASSES, 0.5);
    }

    static List<float[]> read(Weights w) {
        List<float[]> out = new ArrayList<>();
        for (ParamRef p : w.model().params()) {
            out.add(w.read(p));
        }
        return out;
    }

    static void assertSameWeights(List<float[]> expected, Weights w) {
        List<ParamRef> params = w.model().params();
        for (int i = 0; i < params.size(); i++) {
            assertArrayEquals(expected.get(i), w.read(params.get(i)), params.get(i).key());
        }
    }

    @Test
    void weightsLoadWithoutAnOptimizerAndPredictAsBefore() {
        Model m = model();
        try (Weights w = new Weights(m, backend)) {
            Checkpoint c = Checkpoints.loadWeights(saved, w);
            assertEquals("3", c.metadata().get(Checkpoints.EPOCH));
            assertTrue(m.params().stream().anyMatch(p -> p.spec().name().equals("moving_mean")));
            assertSameWeights(trainedWeights, w);
            try (Predictor p = new Predictor(m, w, BATCH)) {
                float[] frozen = p.predict(x, BATCH);
                for (int i = 0; i < predicted.length; i++) {
                    assertEquals(predicted[i], frozen[i], 2e-5, "probability " + i);
                }
            }
            // The unfused inference path gives the trained model's predictions bit for bit.
            try (Optimizer unused = Optimizer.adam(m, backend, Adam.keras()); Trainer t = new Trainer(m, backend, w, unused)) {
                assertArrayEquals(predicted, t.predictBatch(x, BATCH));
            }
        }
    }

    @Test
    void trainingStateRestoresTheOptimizer() {
        Checkpoint file = SafeTensors.read(saved);
        Model m = model();
        try (Weights w = new Weights(m, backend); Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer t = new Trainer(m, backend, w, adam)) {
            Checkpoints.loadTrainingState(saved, t);
            assertSameWeights(trainedWeights, w);
            assertEquals(4, adam.iterations());
            for (ParamRef p : m.params()) {
                if (p.spec().trainable()) {
                    float[] moment = new float[Math.toIntExact(p.spec().shape().size())];
                    backend.download(adam.secondMoment(p.index()), moment);
                    assertArrayEquals(file.tensor("optimizer/" + p.key() + "/v").toFloats(), moment, p.key());
                }
            }
        }
    }

    @Test
    void aMissingOrMismatchedTensorIsAClearErrorAndNothingIsLoaded() {
        Checkpoint file = SafeTensors.read(saved);
        String kernel = model().params().get(0).key();
        Map<String, NamedTensor> tensors = new LinkedHashMap<>(file.tensors());
        tensors.remove(kernel);
        Path missing = dir.resolve("missing.safetensors");
        SafeTensors.write(missing, tensors, file.metadata());

        Model other = TestModels.lenet5WithBatchNormAndDropout(5, 0.5);
        try (Weights w = new Weights(model(), backend); Weights five = new Weights(other, backend)) {
            w.initialize(9);
            List<float[]> before = read(w);
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.loadWeights(missing, w));
            assertEquals(List.of(kernel + ": missing, expected 6x1x5x5 F32"), e.problems());
            assertTrue(e.getMessage().contains("missing.safetensors"), e.getMessage());
            assertSameWeights(before, w);

            e = assertThrows(CheckpointException.class, () -> Checkpoints.loadWeights(saved, five));
            assertTrue(e.problems().stream().anyMatch(p -> p.contains("expected 84x5 F32, found 84x10 F32")), e.getMessage());
        }
    }

    @Test
    void aWeightsOnlyFileCannotResumeTraining() {
        Checkpoint file = SafeTensors.read(saved);
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        file.tensors().forEach((k, v) -> {
            if (!k.startsWith("optimizer/")) {
                tensors.put(k, v);
            }
        });
        Path weightsOnly = dir.resolve("weights-only.safetensors");
        SafeTensors.write(weightsOnly, tensors, file.metadata());
        Model m = model();
        try (Weights w = new Weights(m, backend); Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer t = new Trainer(m, backend, w, adam)) {
            w.initialize(9);
            List<float[]> before = read(w);
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> Checkpoints.loadTrainingState(weightsOnly, t));
            assertTrue(e.problems().contains("optimizer/iterations: missing, expected 1 I64"), e.getMessage());
            assertSameWeights(before, w);
            Checkpoints.loadWeights(weightsOnly, w);
            assertSameWeights(trainedWeights, w);
        }
    }

    /** A diverged run's file: refused on load, naming each tensor, unless the caller allows it. */
    @Test
    void nonFiniteValuesAreRefusedWithTheTensorsName() {
        Checkpoint file = SafeTensors.read(saved);
        List<ParamRef> params = model().params();
        String kernel = params.get(0).key();
        String bias = params.get(1).key();
        Map<String, NamedTensor> tensors = new LinkedHashMap<>(file.tensors());
        float[] nan = file.tensor(kernel).toFloats();
        java.util.Arrays.fill(nan, Float.NaN);
        tensors.put(kernel, NamedTensor.ofFloats(nan, file.tensor(kernel).shape()));
        float[] moment = file.tensor("optimizer/" + bias + "/v").toFloats();
        moment[2] = Float.POSITIVE_INFINITY;
        tensors.put("optimizer/" + bias + "/v", NamedTensor.ofFloats(moment, file.tensor(bias).shape()));
        Path diverged = dir.resolve("diverged.safetensors");
        SafeTensors.write(diverged, tensors, file.metadata());

        Model m = model();
        try (Weights w = new Weights(m, backend); Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer t = new Trainer(m, backend, w, adam)) {
            w.initialize(9);
            List<float[]> before = read(w);
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.loadWeights(diverged, w));
            assertTrue(e.getMessage().startsWith("checkpoint " + diverged + ": holds non-finite values in 1 tensor"),
                    e.getMessage());
            assertEquals(List.of(kernel + ": 150 of 150 values are not finite (element 0 is NaN)"), e.problems());
            assertSameWeights(before, w);

            e = assertThrows(CheckpointException.class, () -> Checkpoints.loadTrainingState(diverged, t));
            assertEquals(List.of(kernel + ": 150 of 150 values are not finite (element 0 is NaN)",
                    "optimizer/" + bias + "/v: 1 of 6 values are not finite (element 2 is Infinity)"), e.problems());
            assertSameWeights(before, w);
            assertEquals(0, adam.iterations());

            Checkpoints.loadWeights(diverged, w, true);
            assertTrue(Float.isNaN(w.read(params.get(0))[0]), "allowNonFinite loads it as it is");
            Checkpoints.loadTrainingState(diverged, t, true);
            assertEquals(4, adam.iterations());
        }
    }

    /** Metadata a resume relies on is parsed here, and a malformed field names the file and field. */
    @Test
    void malformedMetadataNamesTheFieldAndLoadsNothing() {
        Checkpoint file = SafeTensors.read(saved);
        assertEquals(3, Checkpoints.epoch(file));
        assertEquals(4, Checkpoints.seed(file).getAsLong());
        Model m = model();
        try (Weights w = new Weights(m, backend); Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer t = new Trainer(m, backend, w, adam)) {
            w.initialize(9);
            List<float[]> before = read(w);
            for (Map.Entry<String, String> bad : Map.of(Checkpoints.EPOCH, "two", Checkpoints.SEED, "x",
                    Checkpoints.HISTORY, History.CSV_HEADER + "\n1,0.5\n").entrySet()) {
                Map<String, String> meta = new LinkedHashMap<>(file.metadata());
                meta.put(bad.getKey(), bad.getValue());
                Path corrupt = dir.resolve("bad-" + bad.getKey() + ".safetensors");
                SafeTensors.write(corrupt, file.tensors(), meta);
                CheckpointException e = assertThrows(CheckpointException.class,
                        () -> Checkpoints.loadTrainingState(corrupt, t));
                assertTrue(e.getMessage().startsWith("checkpoint " + corrupt + ": metadata field \"" + bad.getKey() + "\""),
                        e.getMessage());
                assertSameWeights(before, w);
            }
        }
        Map<String, String> meta = new LinkedHashMap<>(file.metadata());
        meta.put(Checkpoints.EPOCH, "-1");
        Checkpoint negative = new Checkpoint(file.file(), file.tensors(), meta);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.epoch(negative));
        assertEquals("checkpoint " + saved + ": metadata field \"epoch\" must be a non-negative integer, found \"-1\"",
                e.getMessage());
        meta.remove(Checkpoints.EPOCH);
        meta.remove(Checkpoints.SEED);
        assertEquals(0, Checkpoints.epoch(new Checkpoint(file.file(), file.tensors(), meta)), "no epoch: from the start");
        assertTrue(Checkpoints.seed(new Checkpoint(file.file(), file.tensors(), meta)).isEmpty());
    }

    /**
     * The checkpoint carries the history through its epoch, so the history a resume continues is the
     * checkpoint's whatever history.csv holds: one epoch short (a kill between the two writes), from
     * another run, or gone. A checkpoint without one (an older file) falls back to history.csv.
     */
    @Test
    void theHistoryTravelsInTheCheckpoint() throws java.io.IOException {
        History run = new History();
        for (int e = 1; e <= 4; e++) {
            run.add(new History.Epoch(e, 1.0 / e, 0.1 * e, Double.NaN, 0.05 * e, 1.5));
        }
        Path withHistory = dir.resolve("with-history.safetensors");
        Path csv = dir.resolve("history.csv");
        Model m = model();
        try (Weights w = new Weights(m, backend); Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer t = new Trainer(m, backend, w, adam)) {
            Checkpoints.loadTrainingState(saved, t);
            Checkpoints.save(withHistory, t, 3, 4, run);
            Checkpoint c = Checkpoints.loadTrainingState(withHistory, t);
            assertEquals(run.through(3).toCsv(), c.metadata().get(Checkpoints.HISTORY), "epochs through 3 only");

            run.through(2).writeCsv(csv); // killed after the checkpoint, before history.csv
            assertEquals(run.through(3).epochs(), Checkpoints.history(c, csv).epochs());
            java.nio.file.Files.delete(csv);
            assertEquals(run.through(3).epochs(), Checkpoints.history(c, csv).epochs());

            Checkpoint old = SafeTensors.read(saved); // saved without a history
            run.writeCsv(csv);
            assertEquals(run.through(3).epochs(), Checkpoints.history(old, csv).epochs(), "history.csv up to epoch 3");
            java.nio.file.Files.delete(csv);
            assertTrue(Checkpoints.history(old, csv).isEmpty());
        }
    }
}
