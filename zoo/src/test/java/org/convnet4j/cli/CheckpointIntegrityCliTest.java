package org.convnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.convnet4j.cli.CliTest.Run;
import org.convnet4j.io.Checkpoint;
import org.convnet4j.io.NamedTensor;
import org.convnet4j.io.SafeTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the command line makes of damaged checkpoints: malformed resume metadata and non-finite
 * weights exit 1 naming the file and what is wrong.
 */
class CheckpointIntegrityCliTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void writeData() throws IOException {
        data = Files.createDirectories(tmp.resolve("fmnist"));
        writeSplit("train", 160, 3);
        writeSplit("t10k", 40, 4);
    }

    /** As CliTest's data: each class a bright band at its own height plus noise. */
    private static void writeSplit(String prefix, int n, long seed) throws IOException {
        Random r = new Random(seed);
        byte[] pixels = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
            for (int p = 0; p < 784; p++) {
                pixels[i * 784 + p] = (byte) ((p / 28 / 3 == i % 10 ? 200 : 0) + r.nextInt(40));
            }
        }
        CliTest.idx(data.resolve(prefix + "-images-idx3-ubyte.gz"), 0x803, new int[] {n, 28, 28}, pixels);
        CliTest.idx(data.resolve(prefix + "-labels-idx1-ubyte.gz"), 0x801, new int[] {n}, labels);
    }

    private static Run train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "lenet5", "--data", data.toString(), "--out", out.toString(),
                "--batch-size", "32", "--seed", "7", "--backend", "cpu"));
        a.addAll(List.of(extra));
        return CliTest.cli(a.toArray(String[]::new));
    }

    /** Rewrites a checkpoint with one metadata field or one tensor replaced. */
    private static void rewrite(Path file, String field, String value, String tensor, NamedTensor t) {
        Checkpoint c = SafeTensors.read(file);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        if (field != null) {
            meta.put(field, value);
        }
        Map<String, NamedTensor> tensors = new LinkedHashMap<>(c.tensors());
        if (tensor != null) {
            tensors.put(tensor, t);
        }
        SafeTensors.write(file, tensors, meta);
    }

    @Test
    void corruptResumeMetadataNamesTheCheckpointAndTheFieldAndExitsOne() {
        Path out = tmp.resolve("meta");
        assertEquals(0, train(out, "--epochs", "1").status());
        Path checkpoint = out.resolve("checkpoint.safetensors");
        rewrite(checkpoint, "epoch", "two", null, null);
        Run r = train(out, "--epochs", "2", "--resume");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("checkpoint " + checkpoint + ": metadata field \"epoch\" must be a non-negative "
                + "integer, found \"two\""), r.err());
        assertFalse(r.err().contains("For input string"), r.err());

        rewrite(checkpoint, "epoch", "1", null, null);
        rewrite(checkpoint, "seed", "seven", null, null);
        r = train(out, "--epochs", "2", "--resume");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("checkpoint " + checkpoint + ": metadata field \"seed\" must be an integer, "
                + "found \"seven\""), r.err());
    }

    @Test
    void evaluateRefusesNonFiniteWeightsNamingTheTensor() {
        Path out = tmp.resolve("nan");
        assertEquals(0, train(out, "--epochs", "1").status());
        Path checkpoint = out.resolve("checkpoint.safetensors");
        Checkpoint c = SafeTensors.read(checkpoint);
        String kernel = c.tensors().keySet().iterator().next();
        float[] nan = new float[c.tensor(kernel).toFloats().length];
        Arrays.fill(nan, Float.NaN);
        rewrite(checkpoint, null, null, kernel, NamedTensor.ofFloats(nan, c.tensor(kernel).shape()));

        Run r = CliTest.cli("evaluate", "lenet5", "--weights", checkpoint.toString(), "--data", data.toString(),
                "--backend", "cpu");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains(checkpoint + ": holds non-finite values in 1 tensor"), r.err());
        assertTrue(r.err().contains(kernel + ": " + nan.length + " of " + nan.length + " values are not finite"), r.err());
        assertFalse(r.out().contains("loss: NaN"), r.out());
    }
}
