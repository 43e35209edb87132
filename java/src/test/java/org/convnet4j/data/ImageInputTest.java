package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image given to a model (a file, its bytes, a BufferedImage) becomes the same floats as the same
 * image in a data set, within the same limits.
 */
class ImageInputTest {
    @TempDir
    Path dir;

    @AfterEach
    void resetLimits() {
        DataLimits.setCurrent(null);
    }

    @Test
    void aFileGivesTheFloatsOfTheSameImageInAnImageFolder() throws IOException {
        byte[] png = TestImages.encode(TestImages.rgb(13, 9, 20), "png");
        byte[] jpg = TestImages.encode(TestImages.rgb(7, 11, 40), "jpg");
        Map<String, byte[]> entries = new TreeMap<>();
        entries.put("a/one.png", png);
        entries.put("b/two.jpg", jpg);
        Dataset set = ImageFolder.load(TestImages.folder(dir.resolve("set"), entries), 6, 5, List.of("a", "b"));
        Path file = dir.resolve("one.png");
        Files.write(file, png);
        float[] expected = new float[set.imageSize()];
        set.copyScaled(0, expected, 0);
        assertArrayEquals(expected, ImageInput.fromFile(file, 3, 6, 5));
        assertArrayEquals(expected, ImageInput.fromBytes(png, 3, 6, 5));
        assertArrayEquals(expected, ImageInput.fromImage(TestImages.rgb(13, 9, 20), 3, 6, 5));
        set.copyScaled(1, expected, 0);
        assertArrayEquals(expected, ImageInput.fromBytes(jpg, "two.jpg", 3, 6, 5));
        for (float v : expected) {
            assertTrue(v >= 0 && v <= 1, "scaled to [0, 1]: " + v);
        }
    }

    @Test
    void grayscaleModelsGetTheGrayValuesAndTheLuminanceOfColor() {
        BufferedImage gray = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                gray.getRaster().setSample(x, y, 0, 17 * x + 60 * y + 3);
            }
        }
        float[] in = ImageInput.fromBytes(TestImages.encode(gray, "png"), 1, 3, 4);
        assertEquals(12, in.length);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                assertEquals((17 * x + 60 * y + 3) / 255f, in[y * 4 + x], "a gray PNG keeps its bytes, as an IDX image");
            }
        }
        BufferedImage color = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        color.setRGB(0, 0, 200 << 16 | 100 << 8 | 50);
        // round(0.299 * 200 + 0.587 * 100 + 0.114 * 50) = round(124.2) = 124
        assertEquals(124 / 255f, ImageInput.fromImage(color, 1, 1, 1)[0]);
    }

    @Test
    void aCorruptFileIsAnErrorNamingIt() throws IOException {
        Path file = dir.resolve("broken.jpg");
        Files.writeString(file, "not an image at all");
        DataException e = assertThrows(DataException.class, () -> ImageInput.fromFile(file, 3, 8, 8));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("not an image"), e.getMessage());
        DataException missing = assertThrows(DataNotFoundException.class,
                () -> ImageInput.fromFile(dir.resolve("nope.png"), 3, 8, 8));
        assertTrue(missing.getMessage().contains("nope.png"), missing.getMessage());
    }

    @Test
    void theDataLimitsApply() throws IOException {
        byte[] bomb = TestImages.pngHeader(100_000, 100_000);
        Path file = dir.resolve("bomb.png");
        Files.write(file, bomb);
        DataLimitException pixels = assertThrows(DataLimitException.class, () -> ImageInput.fromFile(file, 3, 8, 8));
        assertTrue(pixels.getMessage().contains("bomb.png") && pixels.getMessage().contains(DataLimits.MAX_IMAGE_PIXELS),
                pixels.getMessage());
        DataLimits.setCurrent(DataLimits.DEFAULTS.withMaxImagePixels(10).withMaxEntryBytes(1 << 20));
        assertThrows(DataLimitException.class, () -> ImageInput.fromImage(TestImages.rgb(4, 3, 0), 3, 2, 2));
        assertThrows(DataLimitException.class,
                () -> ImageInput.fromBytes(TestImages.encode(TestImages.rgb(4, 3, 0), "png"), 3, 2, 2));
        DataLimits.setCurrent(DataLimits.DEFAULTS.withMaxEntryBytes(16));
        Path big = dir.resolve("big.png");
        Files.write(big, TestImages.encode(TestImages.rgb(4, 3, 0), "png"));
        DataLimitException bytes = assertThrows(DataLimitException.class, () -> ImageInput.fromFile(big, 3, 2, 2));
        assertTrue(bytes.getMessage().contains("big.png") && bytes.getMessage().contains(DataLimits.MAX_ENTRY_BYTES),
                bytes.getMessage());
    }

    @Test
    void aShapeNoModelTakesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ImageInput.fromImage(TestImages.rgb(2, 2, 0), 2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> ImageInput.fromImage(TestImages.rgb(2, 2, 0), 3, 0, 2));
    }
}
