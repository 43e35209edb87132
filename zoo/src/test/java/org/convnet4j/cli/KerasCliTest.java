package org.convnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
import org.convnet4j.keras.KerasWeights;
import org.convnet4j.train.Checkpoints;
import org.convnet4j.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Keras options end to end on CliTest's synthetic Fashion-MNIST: {@code train --weights FILE.h5
 * --freeze-base} leaves the base as the file held it and trains the head; {@code export --out FILE.h5}
 * then {@code evaluate --weights FILE.h5} gives the checkpoint's own numbers; usage errors.
 */
class KerasCliTest {
    @TempDir
    static Path tmp;

    @Test
    void fineTuningFromAKerasFileTrainsOnlyTheHead() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("fmnist"));
        CliTest.writeSplit(data, "train", 320, 1);
        CliTest.writeSplit(data, "t10k", 80, 2);
        Model m = Zoo.get("lenet5").build();
        Path base = tmp.resolve("base.h5");
        Map<String, float[]> saved = new HashMap<>();
        try (Backend b = Backends.create("cpu"); Weights w = new Weights(m, b)) {
            w.initialize(99);
            KerasWeights.save(base, w, Set.of());
            for (ParamRef p : m.params()) {
                saved.put(p.key(), w.read(p));
            }
        }
        Path out = tmp.resolve("run");
        CliTest.Run r = CliTest.cli("train", "lenet5", "--data", data.toString(), "--out", out.toString(), "--epochs", "1",
                "--batch-size", "32", "--backend", "cpu", "--weights", base.toString(), "--freeze-base");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("base frozen; training dense_2: 850 trainable params"), r.err());
        assertTrue(r.err().contains("loaded 4 layers from the Keras file"), r.err()); // the head is not read
        Path checkpoint = out.resolve(TrainCommand.CHECKPOINT);
        try (Backend b = Backends.create("cpu"); Weights w = new Weights(m, b)) {
            Checkpoints.loadWeights(checkpoint, w);
            for (ParamRef p : m.params()) {
                if (p.key().startsWith("dense_2/")) {
                    assertFalse(Arrays.equals(saved.get(p.key()), w.read(p)), p.key() + " did not train");
                } else {
                    assertArrayEquals(saved.get(p.key()), w.read(p), p.key() + " moved while frozen");
                }
            }
        }

        // --resume continues the run frozen; without the Keras options it is refused (the settings differ).
        CliTest.Run resumed = CliTest.cli("train", "lenet5", "--data", data.toString(), "--out", out.toString(), "--epochs",
                "2", "--batch-size", "32", "--backend", "cpu", "--weights", base.toString(), "--freeze-base", "--resume");
        assertEquals(0, resumed.status(), resumed.err());
        assertFalse(resumed.err().contains("loaded 4 layers"), resumed.err()); // the checkpoint, not the file
        try (Backend b = Backends.create("cpu"); Weights w = new Weights(m, b)) {
            Checkpoints.loadWeights(checkpoint, w);
            for (ParamRef p : m.params()) {
                if (!p.key().startsWith("dense_2/")) {
                    assertArrayEquals(saved.get(p.key()), w.read(p), p.key() + " moved while frozen");
                }
            }
        }
        CliTest.Run unfrozen = CliTest.cli("train", "lenet5", "--data", data.toString(), "--out", out.toString(), "--epochs",
                "3", "--batch-size", "32", "--backend", "cpu", "--resume");
        assertEquals(2, unfrozen.status(), unfrozen.err());
        assertTrue(unfrozen.err().contains("--freeze-base"), unfrozen.err());

        Path exported = tmp.resolve("trained.h5");
        CliTest.Run export = CliTest.cli("export", "lenet5", "--weights", checkpoint.toString(), "--out", exported.toString(),
                "--backend", "cpu");
        assertEquals(0, export.status(), export.err());
        CliTest.Run fromCheckpoint = CliTest.cli("evaluate", "lenet5", "--weights", checkpoint.toString(), "--data",
                data.toString(), "--backend", "cpu");
        CliTest.Run fromKeras = CliTest.cli("evaluate", "lenet5", "--weights", exported.toString(), "--data",
                data.toString(), "--backend", "cpu");
        assertEquals(0, fromKeras.status(), fromKeras.err());
        assertEquals(fromCheckpoint.out(), fromKeras.out()); // the same weights: the same loss and accuracy, to the digit
    }

    @Test
    void usageErrors() {
        CliTest.Run noWeights = CliTest.cli("train", "lenet5", "--freeze-base", "--out", tmp.resolve("a").toString());
        assertEquals(2, noWeights.status(), noWeights.err());
        assertTrue(noWeights.err().contains("--freeze-base freezes pretrained layers"), noWeights.err());
        CliTest.Run checkpoint = CliTest.cli("train", "lenet5", "--weights", "x.safetensors", "--out", tmp.resolve("b").toString());
        assertEquals(2, checkpoint.status(), checkpoint.err());
        assertTrue(checkpoint.err().contains("use --resume"), checkpoint.err());
    }
}
