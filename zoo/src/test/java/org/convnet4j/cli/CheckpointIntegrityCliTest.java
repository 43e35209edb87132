package org.convnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convnet4j.cli.CliTest.Run;
import org.convnet4j.io.Checkpoint;
import org.convnet4j.io.NamedTensor;
import org.convnet4j.io.SafeTensors;
import org.convnet4j.report.History;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the command line makes of damaged checkpoints and of a run killed between its two per-epoch
 * writes: malformed resume metadata and non-finite weights exit 1 naming the file and what is wrong,
 * and a resume after a kill between checkpoint and history.csv ends with the history (and weights)
 * of an uninterrupted run.
 */
class CheckpointIntegrityCliTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void writeData() throws IOException {
        data = Files.createDirectories(tmp.resolve("fmnist"));
        CliTest.writeSplit(data, "train", 160, 3);
        CliTest.writeSplit(data, "t10k", 40, 4);
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

    /**
     * The crash this guards against, made directly: epoch 2's checkpoint is on disk but history.csv
     * still ends at epoch 1 (killed between the two writes), and a killed save left its temporary.
     * The resume must end with the uninterrupted run's three history rows and weights, and no temporary.
     */
    @Test
    void aKillBetweenCheckpointAndHistoryLosesNoEpoch() throws IOException {
        Path whole = tmp.resolve("whole");
        Path split = tmp.resolve("split");
        assertEquals(0, train(whole, "--epochs", "3").status());
        assertEquals(0, train(split, "--epochs", "1").status());
        Path epochOneHistory = tmp.resolve("history-epoch-1.csv");
        Files.copy(split.resolve("history.csv"), epochOneHistory);
        assertEquals(0, train(split, "--epochs", "2", "--resume").status());
        List<History.Epoch> beforeTheKill = History.readCsv(split.resolve("history.csv")).epochs();
        Files.copy(epochOneHistory, split.resolve("history.csv"), StandardCopyOption.REPLACE_EXISTING);
        Path leftover = split.resolve(".checkpoint.safetensors.5eed1e55c0ffee.tmp");
        Files.write(leftover, new byte[100_000]);

        Run resumed = train(split, "--epochs", "3", "--resume");

        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.err().contains("at epoch 3"), resumed.err());
        List<History.Epoch> h = History.readCsv(split.resolve("history.csv")).epochs();
        assertEquals(3, h.size(), "no epoch missing: " + h);
        assertEquals(beforeTheKill, h.subList(0, 2), "epochs 1 and 2 as the interrupted run recorded them");
        List<History.Epoch> w = History.readCsv(whole.resolve("history.csv")).epochs();
        for (int i = 0; i < 3; i++) {
            assertEquals(withoutTime(w.get(i)), withoutTime(h.get(i)), "epoch " + (i + 1));
        }
        Checkpoint a = SafeTensors.read(whole.resolve("checkpoint.safetensors"));
        Checkpoint b = SafeTensors.read(split.resolve("checkpoint.safetensors"));
        for (String key : a.tensors().keySet()) {
            NamedEquality.assertSame(key, a.tensor(key), b.tensor(key));
        }
        assertFalse(Files.exists(leftover), "the killed save's temporary is removed");
    }

    private static History.Epoch withoutTime(History.Epoch e) {
        return new History.Epoch(e.epoch(), e.loss(), e.accuracy(), e.valLoss(), e.valAccuracy(), 0);
    }
}
