package org.convnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.convnet4j.cli.CliTest.Run;
import org.convnet4j.io.Checkpoint;
import org.convnet4j.io.SafeTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train's options that shape training (--lr-schedule, --reduce-lr-on-plateau, --weight-decay,
 * --clip-norm, --augment) and --tensorboard, end to end: a run with all of them resumes to the
 * uninterrupted run's weights, they are recorded in the checkpoint and a resume that changes one is
 * refused, bad values are usage errors naming the option, and --help explains each.
 */
class TrainOptionsCliTest {
    @TempDir
    static Path tmp;
    static Path data;

    private static final List<String> OPTIONS = List.of("--lr-schedule", "step:1:0.5", "--reduce-lr-on-plateau", "1:0.5",
            "--weight-decay", "0.01", "--clip-norm", "1", "--augment", "flip,crop:2");

    @BeforeAll
    static void writeData() throws IOException {
        data = Files.createDirectories(tmp.resolve("fmnist"));
        CliTest.writeSplit(data, "train", 160, 5);
        CliTest.writeSplit(data, "t10k", 40, 6);
    }

    private static Run train(Path out, List<String> options, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "lenet5", "--data", data.toString(), "--out", out.toString(),
                "--batch-size", "32", "--seed", "7", "--backend", "cpu"));
        a.addAll(options);
        a.addAll(List.of(extra));
        return CliTest.cli(a.toArray(String[]::new));
    }

    @Test
    void aRunWithEveryOptionResumesToTheUninterruptedWeightsAndWritesTensorBoardEvents() throws IOException {
        Path whole = tmp.resolve("whole");
        Path split = tmp.resolve("split");
        Path events = tmp.resolve("events");
        Run w = train(whole, OPTIONS, "--epochs", "3", "--tensorboard", events.toString());
        assertEquals(0, w.status(), w.err());
        assertTrue(w.err().contains("TensorBoard events in " + events), w.err());
        assertEquals(0, train(split, OPTIONS, "--epochs", "2").status());
        Run resumed = train(split, OPTIONS, "--epochs", "3", "--resume");
        assertEquals(0, resumed.status(), resumed.err());
        Checkpoint a = SafeTensors.read(whole.resolve("checkpoint.safetensors"));
        Checkpoint b = SafeTensors.read(split.resolve("checkpoint.safetensors"));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (String key : a.tensors().keySet()) {
            NamedEquality.assertSame(key, a.tensor(key), b.tensor(key));
        }
        Map<String, String> recorded = RunSettings.read(split.resolve("checkpoint.safetensors"));
        assertEquals("step:1:0.5", recorded.get("lr_schedule"));
        assertEquals("1:0.5", recorded.get("reduce_lr_on_plateau"));
        assertEquals("0.01", recorded.get("weight_decay"));
        assertEquals("1.0", recorded.get("clip_norm"));
        assertEquals("flip,crop:2", recorded.get("augment"));
        String metrics = Files.readString(whole.resolve("metrics.json"));
        assertTrue(metrics.contains("\"lr_schedule\": \"step:1:0.5\"") && metrics.contains("\"final_learning_rate\""),
                metrics);

        for (String run : List.of("train", "validation")) {
            try (Stream<Path> files = Files.list(events.resolve(run))) {
                List<Path> found = files.toList();
                assertEquals(1, found.size(), run + ": " + found);
                assertTrue(found.get(0).getFileName().toString().startsWith("events.out.tfevents."), found.toString());
                assertTrue(Files.size(found.get(0)) > 100, found.toString());
            }
        }
    }

    @Test
    void aResumeThatChangesHowTrainingRunsIsRefused() {
        Path out = tmp.resolve("changed");
        assertEquals(0, train(out, List.of("--lr-schedule", "cosine:1"), "--epochs", "2").status());
        Run r = train(out, List.of("--lr-schedule", "cosine:1", "--augment", "flip", "--weight-decay", "0.1"), "--epochs",
                "3", "--resume");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("--weight-decay 0.1 (the run used 0.0), --augment flip (the run used none), --epochs 3"
                + " (the run used 2)"), r.err());
        Run other = train(out, List.of("--lr-schedule", "exp:0.9"), "--epochs", "2", "--resume");
        assertEquals(2, other.status(), other.err());
        assertTrue(other.err().contains("--lr-schedule exp:0.9 (the run used cosine:1)"), other.err());
        Run same = train(out, List.of("--lr-schedule", "cosine:1"), "--epochs", "2", "--resume");
        assertEquals(0, same.status(), same.err());
    }

    @Test
    void badValuesAreUsageErrorsNamingTheOption() {
        Path out = tmp.resolve("never");
        String[][] cases = {
            {"--lr-schedule", "linear", "--lr-schedule: learning-rate schedule: expected constant, step:EPOCHS:FACTOR"},
            {"--reduce-lr-on-plateau", "x", "--reduce-lr-on-plateau: ReduceLROnPlateau: expected PATIENCE or"},
            {"--weight-decay", "-1", "--weight-decay must be a number >= 0. Received '-1'"},
            {"--clip-norm", "0", "--clip-norm must be a positive number. Received 0"},
            {"--augment", "rotate", "--augment: augmentation: expected a comma list of flip, crop:PIXELS"},
        };
        for (String[] c : cases) {
            Run r = train(out, List.of(c[0], c[1]), "--epochs", "1");
            assertEquals(2, r.status(), c[0] + " " + c[1] + ": " + r.err());
            assertTrue(r.err().contains(c[2]), r.err());
        }
        assertTrue(!Files.exists(out), "nothing was created for a usage error");
    }

    /** fp16 on the CPU is refused before anything is written, naming what the CPU lacks; a bad name lists fp16. */
    @Test
    void fp16OnTheCpuIsRefusedNamingWhy() {
        Path out = tmp.resolve("fp16");
        Run r = train(out, List.of("--precision", "fp16"), "--epochs", "1");
        assertTrue(r.status() != 0, r.err());
        assertTrue(r.err().contains("precision fp16") && r.err().contains("native f16"), r.err());
        assertTrue(!Files.exists(out.resolve("checkpoint.safetensors")), "no checkpoint for a refused precision");
        Run bad = train(out, List.of("--precision", "fp8"), "--epochs", "1");
        assertEquals(2, bad.status(), bad.err());
        assertTrue(bad.err().contains("--precision: expected auto, fp32, bf16 or fp16. Received fp8"), bad.err());
    }

    @Test
    void helpExplainsEveryOption() {
        Run help = CliTest.cli("train", "--help");
        assertEquals(0, help.status());
        for (String s : List.of("--lr-schedule S", "step:EPOCHS:FACTOR", "exp:RATE", "cosine:WARMUP",
                "--reduce-lr-on-plateau P[:F]", "--weight-decay X", "AdamW", "--clip-norm X", "--augment STEPS",
                "crop:PIXELS", "translate:FRACTION", "--tensorboard DIR", "tensorboard --logdir DIR")) {
            assertTrue(help.out().contains(s), s + " not in " + help.out());
        }
    }
}
