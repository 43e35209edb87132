package org.convnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import org.convnet4j.io.Checkpoint;
import org.convnet4j.io.SafeTensors;
import org.convnet4j.report.History;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line end to end on a small synthetic Fashion-MNIST-format data set: what a run
 * leaves, exit statuses, messages for missing and corrupt data, and that --resume ends with the same
 * weights as an uninterrupted run.
 */
class CliTest {
    @TempDir
    static Path tmp;
    static Path data;

    /** Ten classes of 28x28 images, each class a bright horizontal band at its own height plus noise. */
    @BeforeAll
    static void writeData() throws IOException {
        data = Files.createDirectories(tmp.resolve("fmnist"));
        writeSplit(data, "train", 320, 1);
        writeSplit(data, "t10k", 80, 2);
    }

    /** n images of the bands, as prefix-images/labels IDX files in dir (CheckpointIntegrityCliTest uses them too). */
    static void writeSplit(Path dir, String prefix, int n, long seed) throws IOException {
        Random r = new Random(seed);
        byte[] pixels = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = i % 10;
            labels[i] = (byte) label;
            for (int p = 0; p < 784; p++) {
                int row = p / 28;
                int v = (row / 3 == label ? 200 : 0) + r.nextInt(40);
                pixels[i * 784 + p] = (byte) v;
            }
        }
        idx(dir.resolve(prefix + "-images-idx3-ubyte.gz"), 0x803, new int[] {n, 28, 28}, pixels);
        idx(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), 0x801, new int[] {n}, labels);
    }

    static void idx(Path file, int magic, int[] dims, byte[] body) throws IOException {
        try (OutputStream f = Files.newOutputStream(file); DataOutputStream out = new DataOutputStream(new GZIPOutputStream(f))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(body);
        }
    }

    record Run(int status, String out, String err) {
    }

    static synchronized Run cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.run(List.of(args));
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static String[] train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "lenet5", "--data", data.toString(), "--out", out.toString(),
                "--batch-size", "32", "--seed", "7", "--backend", "cpu"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void trainLeavesItsFilesAndLearns() throws IOException {
        Path out = tmp.resolve("run");
        Run r = cli(train(out, "--epochs", "3"));
        assertEquals(0, r.status(), r.err());
        for (String f : List.of("history.csv", "metrics.json", "curves.png", "predictions.png", "checkpoint.safetensors")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f + " missing");
        }
        History h = History.readCsv(out.resolve("history.csv"));
        assertEquals(3, h.size());
        assertTrue(h.last().loss() < h.epochs().get(0).loss(), "the loss should fall: " + h.epochs());
        assertTrue(h.last().valAccuracy() > 0.5, "a band per class is easy to learn: " + h.epochs());
        String metrics = Files.readString(out.resolve("metrics.json"));
        for (String key : List.of("\"test_accuracy\"", "\"test_loss\"", "\"seconds_per_epoch\"", "\"images_per_second\"",
                "\"backend\": \"cpu\"")) {
            assertTrue(metrics.contains(key), key + " not in " + metrics);
        }
        assertTrue(r.out().contains("Epoch 3/3"), r.out());
        assertTrue(r.out().matches("(?s).*10/10 \\[=+\\] - \\d+s \\d+m?s/step - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}"
                + " - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4}.*"), r.out());
    }

    @Test
    void resumeEndsWithTheWeightsOfAnUninterruptedRun() {
        Path whole = tmp.resolve("whole");
        Path split = tmp.resolve("split");
        assertEquals(0, cli(train(whole, "--epochs", "3")).status());
        assertEquals(0, cli(train(split, "--epochs", "2")).status());
        Run resumed = cli(train(split, "--epochs", "3", "--resume"));
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.err().contains("resuming"), resumed.err());
        Checkpoint a = SafeTensors.read(whole.resolve("checkpoint.safetensors"));
        Checkpoint b = SafeTensors.read(split.resolve("checkpoint.safetensors"));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (String key : a.tensors().keySet()) {
            NamedEquality.assertSame(key, a.tensor(key), b.tensor(key));
        }
        assertEquals(3, History.readCsv(split.resolve("history.csv")).size());
    }

    /** The CLI in a JVM of its own, as a second process on the machine: exit status and stderr. */
    static Run cliProcess(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the second JVM did not finish: " + err);
        return new Run(p.exitValue(), "", err);
    }

    @Test
    void aSecondRunIntoALockedFolderIsRefusedAndALeftoverLockFileBlocksNothing() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("locked"));
        try (OutputLock held = OutputLock.acquire(out)) {
            // Another process: the operating system's lock refuses it.
            Run other = cliProcess(train(out, "--epochs", "1"));
            assertEquals(1, other.status(), other.err());
            assertTrue(other.err().contains("another run is writing to " + out + " (pid " + ProcessHandle.current().pid()
                    + " on host "), other.err());
            assertTrue(other.err().contains("pass another --out"), other.err());
            // Another run in this JVM: the same refusal.
            Run same = cli(train(out, "--epochs", "1"));
            assertEquals(1, same.status(), same.err());
            assertTrue(same.err().contains("another run is writing to " + out), same.err());
        }
        assertFalse(Files.exists(out.resolve("checkpoint.safetensors")), "a refused run wrote nothing");
        // The file a killed run leaves names a holder that is gone; only the OS lock counts.
        Files.writeString(out.resolve(OutputLock.FILE), "pid 999999 on host gone since 2020-01-01T00:00:00Z\n");
        Run after = cli(train(out, "--epochs", "1"));
        assertEquals(0, after.status(), after.err());
        assertTrue(Files.isRegularFile(out.resolve("checkpoint.safetensors")));
    }

    @Test
    void aFolderThatHoldsARunIsReplacedOnlyWithOverwrite() throws IOException {
        Path out = tmp.resolve("finished");
        assertEquals(0, cli(train(out, "--epochs", "2")).status());
        byte[] before = Files.readAllBytes(out.resolve("checkpoint.safetensors"));
        Run again = cli(train(out, "--epochs", "1"));
        assertEquals(2, again.status(), again.err());
        assertTrue(again.err().contains(out + " already holds a run (checkpoint.safetensors, history.csv, metrics.json):"
                + " pass --resume to continue it, --overwrite to replace it, or another --out"), again.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("checkpoint.safetensors")), "the refused run wrote nothing");
        Run both = cli(train(out, "--epochs", "3", "--resume", "--overwrite"));
        assertEquals(2, both.status(), both.err());
        assertTrue(both.err().contains("give one of them"), both.err());
        Run over = cli(train(out, "--epochs", "1", "--overwrite"));
        assertEquals(0, over.status(), over.err());
        assertTrue(over.err().contains("--overwrite: deleted the previous run's checkpoint.safetensors, history.csv,"
                + " metrics.json, curves.png, predictions.png from " + out), over.err());
        assertEquals(1, History.readCsv(out.resolve("history.csv")).size());
    }

    @Test
    void resumeRefusesChangedSettingsNamingBothValuesUnlessForced() throws IOException {
        Path out = tmp.resolve("settings");
        assertEquals(0, cli(train(out, "--epochs", "1", "--lr", "0.002")).status());
        byte[] before = Files.readAllBytes(out.resolve("checkpoint.safetensors"));
        List<String> changed = List.of("train", "lenet5", "--data", data.toString(), "--out", out.toString(), "--backend",
                "cpu", "--seed", "7", "--batch-size", "64", "--lr", "0.01", "--epochs", "2", "--resume");
        List<String> refused = new ArrayList<>(changed);
        refused.addAll(List.of("--classes", "12"));
        Run r = cli(refused.toArray(String[]::new));
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("--resume: this command's settings differ from the run's in " + out + ": --batch-size 64"
                + " (the run used 32), --lr 0.01 (the run used 0.002), --classes 12 (the run used 10); resume with the run's"
                + " settings, or add --force-resume"), r.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("checkpoint.safetensors")), "the refused run wrote nothing");
        List<String> forced = new ArrayList<>(changed);
        forced.add("--force-resume");
        Run f = cli(forced.toArray(String[]::new));
        assertEquals(0, f.status(), f.err());
        assertTrue(f.err().contains("--force-resume: the run goes on with --batch-size 64 (the run used 32), --lr 0.01"
                + " (the run used 0.002)"), f.err());
        assertEquals(2, History.readCsv(out.resolve("history.csv")).size());
        Map<String, String> settings = RunSettings.read(out.resolve("checkpoint.safetensors"));
        assertEquals("64", settings.get("batch_size"), settings.toString());
        assertEquals("0.01", settings.get("learning_rate"), settings.toString());
        assertFalse(Files.exists(out.resolve("settings.properties")), "the settings travel in the checkpoint");
        Run alone = cli(train(out, "--epochs", "3", "--force-resume"));
        assertEquals(2, alone.status(), alone.err());
        assertTrue(alone.err().contains("--force-resume goes with --resume"), alone.err());
    }

    @Test
    void aRunTooLargeForTheMachineIsRefusedBeforeItAllocatesWithTheEstimateAndTheLimit() {
        // The synthetic set has 320 images, so the batch is at most 320; a billion classes makes the
        // last layer and its logits terabytes, more than any machine this runs on.
        Run r = cli("train", "lenet5", "--data", data.toString(), "--out", tmp.resolve("huge").toString(), "--backend",
                "cpu", "--batch-size", "100000000", "--classes", "1000000000");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().matches("(?s).*convnet4j: this run needs about \\d+(\\.\\d)? TiB \\(parameters \\d+(\\.\\d)? GiB,"
                + " gradients .*, optimizer state .*, activations .*, margin .*\\) on the cpu backend, more than the"
                + " \\d+(\\.\\d)? [MGT]iB it may still allocate \\((JavaCPP's maxPhysicalBytes of .*|the .* of memory"
                + " available on this machine)\\); a smaller --batch-size \\(now 100000000\\) needs less\\R"), r.err());
        assertFalse(Files.exists(tmp.resolve("huge").resolve("checkpoint.safetensors")));
    }

    @Test
    void evaluateAndPredictReadTheCheckpoint() throws IOException {
        Path out = tmp.resolve("eval");
        // --precise-bn 0 is documented as off, so it is accepted, not refused as "not positive".
        assertEquals(0, cli(train(out, "--epochs", "1", "--precise-bn", "0")).status());
        Run e = cli("evaluate", "lenet5", "--weights", out.resolve("checkpoint.safetensors").toString(), "--data",
                data.toString(), "--backend", "cpu", "--precise-bn", "0");
        assertEquals(0, e.status(), e.err());
        assertTrue(e.out().matches("(?s)80 images - loss: \\d+\\.\\d{4} - accuracy: \\d\\.\\d{4}.*"), e.out());
        if (org.convnet4j.backend.cpu.CpuBackend.nativeInt8()) {
            Path calibration = tmp.resolve("lenet5.int8");
            Run q = cli("evaluate", "lenet5", "--weights", out.resolve("checkpoint.safetensors").toString(), "--data",
                    data.toString(), "--backend", "cpu", "--precision", "int8", "--calibration", "50",
                    "--save-calibration", calibration.toString());
            assertEquals(0, q.status(), q.err());
            assertTrue(q.err().contains("int8 calibrated on the first 50 training images (5 convolution and dense layers"), q.err());
            assertTrue(q.out().matches("(?s)80 images - loss: \\d+\\.\\d{4} - accuracy: \\d\\.\\d{4} \\(int8\\)\\R"
                    + "80 images - loss: \\d+\\.\\d{4} - accuracy: \\d\\.\\d{4} \\(fp32, frozen\\); int8 changes accuracy by "
                    + "[+-]\\d+\\.\\d\\d points\\R"), q.out());
            // The fp32 frozen figures equal the live evaluation's accuracy (same weights, same images).
            String accuracy = e.out().replaceAll("(?s).*accuracy: (\\d\\.\\d{4}).*", "$1");
            assertTrue(q.out().contains("accuracy: " + accuracy + " (fp32, frozen)"), q.out() + " vs " + e.out());
            // predict in int8 from the saved ranges, no data set read; without them, or with another model's, refused.
            assertTrue(Files.readAllLines(calibration).get(0).startsWith("convnet4j-int8-calibration 1 lenet5 50"));
            Path png = tmp.resolve("shoe.png");
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(28, 28,
                    java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setSample(14, 14, 0, 255);
            javax.imageio.ImageIO.write(img, "png", png.toFile());
            String ckpt = out.resolve("checkpoint.safetensors").toString();
            Run p8 = cli("predict", "lenet5", "--weights", ckpt, "--backend", "cpu", "--precision", "int8",
                    "--calibration-file", calibration.toString(), png.toString());
            assertEquals(0, p8.status(), p8.err());
            assertTrue(p8.out().startsWith(png + ": "), p8.out());
            assertTrue(p8.err().contains("precision int8 (int8 calibration of lenet5 on 50 images"), p8.err());
            Run missing = cli("predict", "lenet5", "--weights", ckpt, "--backend", "cpu", "--precision", "int8",
                    png.toString());
            assertEquals(2, missing.status(), missing.err());
            assertTrue(missing.err().contains("--precision int8 needs --calibration-file"), missing.err());
            Path other = tmp.resolve("other.int8");
            Files.writeString(other, Files.readString(calibration).replaceFirst(" lenet5 ", " alexnet8 "));
            Run wrong = cli("predict", "lenet5", "--weights", ckpt, "--backend", "cpu", "--precision", "int8",
                    "--calibration-file", other.toString(), png.toString());
            assertEquals(2, wrong.status(), wrong.err());
            assertTrue(wrong.err().contains("was made for model alexnet8, not lenet5"), wrong.err());
            Files.writeString(other, "convnet4j-int8-calibration 1 lenet5 50\nconv NaN 1\n");
            Run hostile = cli("predict", "lenet5", "--weights", ckpt, "--backend", "cpu", "--precision", "int8",
                    "--calibration-file", other.toString(), png.toString());
            assertEquals(2, hostile.status(), hostile.err());
            assertTrue(hostile.err().contains(":2: int8: expected a finite range"), hostile.err());
        } else {
            System.out.println("SKIPPED [cpu] evaluate --precision int8: no VNNI here (" + org.convnet4j.backend.cpu.CpuBackend.isaName() + ")");
        }
        Path pred = tmp.resolve("pred");
        Run p = cli("predict", "lenet5", "--grid", "--weights", out.resolve("checkpoint.safetensors").toString(), "--data",
                data.toString(), "--out", pred.toString(), "--backend", "cpu");
        assertEquals(0, p.status(), p.err());
        assertTrue(Files.size(pred.resolve("predictions.png")) > 0);
    }

    @Test
    void usageErrorsExitWithTwo() {
        Run unknown = cli("train", "nosuchmodel");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("Unknown model 'nosuchmodel'"), unknown.err());
        Run option = cli("train", "lenet5", "--epoch", "3");
        assertEquals(2, option.status());
        assertTrue(option.err().contains("unknown option --epoch"), option.err());
        assertEquals(2, cli("train", "lenet5", "--epochs", "-1").status());
        assertEquals(2, cli("frobnicate").status());
        assertEquals(2, cli("evaluate", "lenet5").status());
    }

    @Test
    void anOptionGivenTwiceIsRefusedNotSilentlyOverridden() {
        Run lr = cli("train", "lenet5", "--lr", "0.1", "--epochs", "2", "--lr=0.01");
        assertEquals(2, lr.status());
        assertTrue(lr.err().contains("option --lr is given twice"), lr.err());
        Run flag = cli("train", "lenet5", "--resume", "--resume");
        assertEquals(2, flag.status());
        assertTrue(flag.err().contains("option --resume is given twice"), flag.err());
        Path never = tmp.resolve("never");
        Run negative = cli("train", "lenet5", "--precise-bn", "-1", "--out", never.toString());
        assertEquals(2, negative.status());
        assertTrue(negative.err().contains("--precise-bn must be 0 or a positive integer"), negative.err());
        assertFalse(Files.exists(never), "a usage error is found before the output folder is made");
        assertEquals(2, cli("train", "lenet5", "--resume", "--overwrite", "--out", never.toString()).status());
        assertFalse(Files.exists(never), "a usage error is found before the output folder is made");
    }

    @Test
    void commandHelpAndVersionExitWithZero() {
        Run train = cli("train", "--help");
        assertEquals(0, train.status(), train.err());
        assertTrue(train.out().startsWith("usage: convnet4j train MODEL [--data PATH]"), train.out());
        for (String option : List.of("--resume", "--force-resume", "--overwrite", "--precise-bn N", "(0: off)",
                "with the estimate and the limit")) {
            assertTrue(train.out().contains(option), option + " not in " + train.out());
        }
        Run evaluate = cli("evaluate", "lenet5", "-h");
        assertEquals(0, evaluate.status(), evaluate.err());
        assertTrue(evaluate.out().startsWith("usage: convnet4j evaluate MODEL --weights FILE"), evaluate.out());
        assertEquals(0, cli("models", "--help").status());
        Run version = cli("--version");
        assertEquals(0, version.status(), version.err());
        assertTrue(version.out().matches("convnet4j \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R"), version.out());
        assertTrue(cli("--help").out().contains("--version"));
    }

    @Test
    void missingDataSaysWhereItLookedAndHowToGetIt() {
        Run r = cli("train", "lenet5", "--data", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("x").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("apt-get install dataset-fashion-mnist"), r.err());
        assertTrue(r.err().contains(tmp.resolve("nowhere").toString()), r.err());
        assertTrue(r.err().contains("give the folder holding the four IDX files; pass it as --data PATH"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test
    void corruptDataNamesTheFile() throws IOException {
        Path bad = Files.createDirectories(tmp.resolve("bad"));
        for (String f : List.of("train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            Files.copy(data.resolve(f), bad.resolve(f));
        }
        idx(bad.resolve("train-images-idx3-ubyte.gz"), 0x803, new int[] {320, 28, 28}, new byte[1000]);
        Run r = cli("train", "lenet5", "--data", bad.toString(), "--out", tmp.resolve("y").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("train-images-idx3-ubyte.gz"), r.err());
    }

    @Test
    void aCorruptCheckpointIsAClearError() throws IOException {
        Path f = tmp.resolve("corrupt.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        Run r = cli("evaluate", "lenet5", "--weights", f.toString(), "--data", data.toString(), "--backend", "cpu");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("corrupt.safetensors"), r.err());
    }

    @Test
    void modelsListsTheZooWithParameterCounts() {
        Run r = cli("models");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("lenet5") && r.out().contains("107,786"), r.out());
        Run s = cli("summary", "lenet5");
        assertTrue(s.out().contains("Total params: 107,786\nTrainable params: 107,786\nNon-trainable params: 0\n"), s.out());
    }

    /** --threads takes a positive count, once; a run in a fresh JVM reports the count it was given. */
    @Test
    void threadsIsAPositiveCountGivenOnce() throws Exception {
        Run zero = cli("evaluate", "lenet5", "--weights", "x.safetensors", "--threads", "0");
        assertEquals(2, zero.status(), zero.err());
        assertTrue(zero.err().contains("--threads: expected a positive number of threads. Received '0'"), zero.err());
        Run twice = cli("predict", "lenet5", "--weights", "x.safetensors", "--threads", "1", "--threads", "1");
        assertEquals(2, twice.status(), twice.err());
        assertTrue(twice.err().contains("--threads given twice"), twice.err());
        Run help = cli("train", "--help");
        assertTrue(help.out().contains("--threads N"), help.out());
    }
}
