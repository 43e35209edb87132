package org.convnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Weights;
import org.convnet4j.ops.Adam;
import org.convnet4j.train.Checkpoints;
import org.convnet4j.train.Optimizer;
import org.convnet4j.train.Predictor;
import org.convnet4j.train.Trainer;
import org.convnet4j.zoo.OrtRunner;
import org.convnet4j.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convnet4j export}: the file it writes from a checkpoint runs in ONNX Runtime and gives the
 * probabilities our Predictor gives for the same weights; usage errors for what is missing.
 */
class ExportCliTest {
    @Test
    void exportWritesAnOnnxFileOnnxRuntimeRunsLikeOurPredictor(@TempDir Path dir) {
        Model m = Zoo.get("lenet5").build();
        Path checkpoint = dir.resolve("checkpoint.safetensors");
        float[] x = new float[3 * 28 * 28];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        float[] expected;
        try (Backend b = Backends.create("cpu"); Weights w = new Weights(m, b);
             Optimizer adam = Optimizer.adam(m, b, Adam.keras()); Trainer t = new Trainer(m, b, w, adam)) {
            w.initialize(3);
            for (int step = 0; step < 5; step++) {
                t.trainBatch(x, new int[] {1, 4, 7}, 3);
            }
            Checkpoints.save(checkpoint, t, 1, 3);
            try (Predictor p = new Predictor(m, w, 3)) {
                expected = p.predict(x, 3);
            }
        }
        Path onnx = dir.resolve("lenet5.onnx");
        CliTest.Run run = CliTest.cli("export", "lenet5", "--weights", checkpoint.toString(), "--out", onnx.toString(),
                "--backend", "cpu");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("wrote " + onnx), run.out());
        float[] actual;
        try {
            actual = OrtRunner.run(Files.readAllBytes(onnx), "input", x, 3, 1, 28, 28).get("dense_2");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5, "probability " + i);
        }
    }

    @Test
    void missingWeightsOrOutIsAUsageError(@TempDir Path dir) {
        CliTest.Run noOut = CliTest.cli("export", "lenet5", "--weights", "missing.safetensors");
        assertEquals(2, noOut.status());
        CliTest.Run noWeights = CliTest.cli("export", "lenet5", "--out", dir.resolve("m.onnx").toString());
        assertEquals(2, noWeights.status());
        assertTrue(noWeights.err().contains("--weights"), noWeights.err());
        assertFalse(Files.exists(dir.resolve("m.onnx")));
        CliTest.Run help = CliTest.cli("export", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("export MODEL --weights FILE --out FILE.onnx") && help.out().contains("docs/ONNX.md"),
                help.out());
    }
}
