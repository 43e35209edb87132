package org.convnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.convnet4j.cli.CliTest.Run;
import org.convnet4j.data.DataLimits;
import org.convnet4j.data.Datasets;
import org.convnet4j.io.Checkpoint;
import org.convnet4j.io.SafeTensors;
import org.convnet4j.train.Checkpoints;
import org.convnet4j.zoo.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict MODEL --weights W IMAGE...}: image files in, one line (or JSON object) of top-k named
 * classes out, with the names the training run stored in its checkpoint, and no data set read.
 */
class PredictCliTest {
    @TempDir
    static Path tmp;
    static Path checkpoint;
    static Path band3;
    static Path band7;

    @BeforeAll
    static void trainAndDraw() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("fmnist"));
        CliTest.writeSplit(data, "train", 160, 5);
        CliTest.writeSplit(data, "t10k", 40, 6);
        Path out = tmp.resolve("run");
        Run r = CliTest.cli("train", "lenet5", "--data", data.toString(), "--out", out.toString(), "--epochs", "1",
                "--batch-size", "32", "--backend", "cpu");
        assertEquals(0, r.status(), r.err());
        checkpoint = out.resolve("checkpoint.safetensors");
        band3 = band(tmp.resolve("band 3.png"), 3, 56);
        band7 = band(tmp.resolve("band7.png"), 7, 28);
    }

    /** A gray PNG of side x side in CliTest's style: a bright band at the label's height (scaled from 28 rows). */
    static Path band(Path file, int label, int side) throws IOException {
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                img.getRaster().setSample(x, y, 0, (y * 28 / side) / 3 == label ? 220 : 10);
            }
        }
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    @Test
    void trainingStoresTheClassNamesInTheCheckpoint() {
        Checkpoint c = SafeTensors.read(checkpoint);
        assertEquals(Datasets.FASHION_MNIST_CLASSES, Checkpoints.classNames(c).orElseThrow());
    }

    @Test
    void imagesGiveOneLineEachWithTheTopClassesByName() {
        Run r = CliTest.cli("predict", "lenet5", "--weights", checkpoint.toString(), "--backend", "cpu",
                band3.toString(), band7.toString());
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        String name = "(" + String.join("|", Datasets.FASHION_MNIST_CLASSES.stream().map(Pattern::quote).toList()) + ")";
        String entry = name + " [01]\\.\\d\\d";
        assertTrue(lines.get(0).matches(Pattern.quote(band3.toString()) + ": " + entry + ", " + entry + ", " + entry),
                lines.get(0));
        assertTrue(lines.get(1).startsWith(band7 + ": "), lines.get(1));
        Run top1 = CliTest.cli("predict", "lenet5", "--weights", checkpoint.toString(), "--backend", "cpu", "--top", "1",
                band7.toString());
        assertEquals(0, top1.status(), top1.err());
        assertTrue(top1.out().strip().matches(Pattern.quote(band7.toString()) + ": " + entry), top1.out());
        assertTrue(lines.get(1).startsWith(top1.out().strip() + ", "), "--top 1 is the first of --top 3");
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonGivesOneParsableObjectPerImage() throws Exception {
        Run r = CliTest.cli("predict", "lenet5", "--weights", checkpoint.toString(), "--backend", "cpu", "--json",
                "--top", "4", band3.toString(), band7.toString());
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        Method parse = Class.forName("org.convnet4j.io.HeaderJson").getDeclaredMethod("parse", String.class);
        parse.setAccessible(true);
        for (int i = 0; i < 2; i++) {
            Map<String, Object> o = (Map<String, Object>) parse.invoke(null, lines.get(i));
            assertEquals((i == 0 ? band3 : band7).toString(), o.get("file"));
            List<Map<String, Object>> top = (List<Map<String, Object>>) o.get("top");
            assertEquals(4, top.size());
            double previous = 1;
            for (Map<String, Object> p : top) {
                int index = ((BigDecimal) p.get("class")).intValueExact();
                assertEquals(Datasets.FASHION_MNIST_CLASSES.get(index), p.get("name"));
                double probability = ((BigDecimal) p.get("probability")).doubleValue();
                assertTrue(probability >= 0 && probability <= previous, lines.get(i));
                previous = probability;
            }
        }
    }

    @Test
    void aCheckpointWithoutClassNamesUsesTheModelsDataSetNames() {
        Checkpoint c = SafeTensors.read(checkpoint);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        assertTrue(meta.remove(Checkpoints.CLASS_NAMES) != null);
        Path old = tmp.resolve("old.safetensors");
        SafeTensors.write(old, c.tensors(), meta);
        Run r = CliTest.cli("predict", "lenet5", "--weights", old.toString(), "--backend", "cpu", band3.toString());
        assertEquals(0, r.status(), r.err());
        Run named = CliTest.cli("predict", "lenet5", "--weights", checkpoint.toString(), "--backend", "cpu", band3.toString());
        assertEquals(named.out(), r.out());
        assertEquals(Datasets.FASHION_MNIST_CLASSES, Commands.knownClassNames(Zoo.get("lenet5"), 10));
        assertNull(Commands.knownClassNames(Zoo.get("lenet5"), 2), "no zoo names for a class count the data set lacks:"
                + " Classifier names them class 0, class 1");
    }

    @Test
    void aCorruptImageExitsOneNamingIt() throws IOException {
        Path bad = tmp.resolve("broken.jpg");
        Files.writeString(bad, "this is not a JPEG");
        Run r = CliTest.cli("predict", "lenet5", "--weights", checkpoint.toString(), "--backend", "cpu", band3.toString(),
                bad.toString());
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains(bad.toString()) && r.err().contains("not an image"), r.err());
        assertEquals("", r.out(), "every image is read before anything is predicted");
        Run missing = CliTest.cli("predict", "lenet5", "--weights", checkpoint.toString(), "--backend", "cpu",
                tmp.resolve("nope.png").toString());
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("nope.png"), missing.err());
    }

    @Test
    void theDataLimitsApplyToImages() {
        DataLimits.setCurrent(DataLimits.DEFAULTS.withMaxImagePixels(1000));
        try {
            Run r = CliTest.cli("predict", "lenet5", "--weights", checkpoint.toString(), "--backend", "cpu",
                    band3.toString());
            assertEquals(1, r.status(), r.err());
            assertTrue(r.err().contains(band3.toString()) && r.err().contains(DataLimits.MAX_IMAGE_PIXELS), r.err());
        } finally {
            DataLimits.setCurrent(null);
        }
    }

    @Test
    void usage() {
        String w = checkpoint.toString();
        Run none = CliTest.cli("predict", "lenet5", "--weights", w);
        assertEquals(2, none.status());
        assertTrue(none.err().contains("IMAGE") && none.err().contains("--grid"), none.err());
        assertEquals(2, CliTest.cli("predict", "lenet5", "--weights", w, "--data", "x", band3.toString()).status());
        assertEquals(2, CliTest.cli("predict", "lenet5", "--weights", w, "--grid", band3.toString()).status());
        assertEquals(2, CliTest.cli("predict", "lenet5", "--weights", w, "--grid", "--top", "2").status());
        assertEquals(2, CliTest.cli("predict", "lenet5", "--weights", w, "--top", "0", band3.toString()).status());
        Run help = CliTest.cli("predict", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("IMAGE...") && help.out().contains("--grid") && help.out().contains("--json"),
                help.out());
        assertFalse(help.out().contains("\n\n"), help.out());
    }
}
