package org.convnet4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
    private static final List<String> DIGITS = List.of("zero", "one", "two", "three", "four", "five", "six",
            "seven", "eight", "nine");

    @TempDir
    Path dir;

    @Test
    void curvesAreA1000x420Png() throws IOException {
        History h = new History();
        for (int e = 1; e <= 12; e++) {
            h.add(new History.Epoch(e, 2.0 / e, 1 - 0.9 / e, 2.2 / e + 0.05, 1 - 1.0 / e, 3.0));
        }
        BufferedImage img = curves(h);
        assertEquals(1000, img.getWidth());
        assertEquals(420, img.getHeight());
        assertTrue(countColoured(img, new Rectangle(0, 0, 1000, 420), 255, 127, 14) > 100, "validation line drawn");
    }

    @Test
    void curvesWithOneEpochAndNoValidation() throws IOException {
        History h = new History();
        h.add(History.Epoch.train(1, 0.7, 0.6, 5));
        BufferedImage img = curves(h);
        assertEquals(1000, img.getWidth());
        assertTrue(countColoured(img, new Rectangle(0, 0, 1000, 420), 31, 119, 180) > 20, "training marker drawn");
        assertEquals(0, countColoured(img, new Rectangle(0, 0, 1000, 420), 255, 127, 14), "no validation at all");
    }

    @Test
    void curvesSkipMissingValidationValues() throws IOException {
        History h = new History();
        h.add(new History.Epoch(1, 1.0, 0.5, Double.NaN, Double.NaN, 1));
        h.add(new History.Epoch(2, 0.8, 0.6, 0.9, 0.55, 1));
        h.add(new History.Epoch(3, 0.6, 0.7, Double.NaN, Double.NaN, 1));
        h.add(new History.Epoch(4, 0.5, 0.75, 0.7, 0.65, 1));
        assertEquals(420, curves(h).getHeight());
        assertEquals(420, curves(new History()).getHeight(), "an empty history still draws its axes");
    }

    @Test
    void predictionsColourLabelsByCorrectness() throws IOException {
        int n = 50;
        float[] images = digits(n, 28, 28);
        int[] labels = new int[n];
        int[] predicted = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            predicted[i] = i % 7 == 3 ? (i + 1) % 10 : i % 10;
        }
        Path png = dir.resolve("predictions.png");
        Plots.predictions(png, images, 1, 28, 28, labels, predicted, DIGITS);

        BufferedImage img = ImageIO.read(png.toFile());
        PredictionGrid grid = new PredictionGrid(n, 28, 28);
        assertEquals(grid.width(), img.getWidth());
        assertEquals(grid.height(), img.getHeight());
        assertEquals(112, grid.imageWidth, "28 px enlarged 4x");
        assertLabel(img, grid.labelBox(0), true);
        assertLabel(img, grid.labelBox(3), false);
        assertLabel(img, grid.labelBox(49), true);
        assertLabel(img, grid.labelBox(45), false);
    }

    @Test
    void predictionsDrawFewerThanFiftyColourImages() throws IOException {
        int n = 3;
        float[] images = new float[n * 3 * 32 * 32];
        for (int i = 0; i < images.length; i++) {
            images[i] = (i % 97) / 96f;
        }
        Path png = dir.resolve("few.png");
        Plots.predictions(png, images, 3, 32, 32, new int[] {0, 1, 2}, new int[] {0, 2, 2},
                List.of("airplane", "automobile", "bird"));
        BufferedImage img = ImageIO.read(png.toFile());
        PredictionGrid grid = new PredictionGrid(n, 32, 32);
        assertEquals(grid.height(), img.getHeight());
        assertLabel(img, grid.labelBox(0), true);
        assertLabel(img, grid.labelBox(1), false);
    }

    /**
     * As the TensorFlow tutorial labels its tiles: the predicted class and its probability, and under a
     * wrong one the true class in brackets; the second line of a right tile stays empty.
     */
    @Test
    void wrongTilesShowTheConfidenceAndTheTrueClass() throws IOException {
        assertEquals(new PredictionGrid.Caption("Shirt 62%", "Pullover"),
                PredictionGrid.Caption.of("Shirt", 0.6249f, "Pullover"));
        assertEquals(new PredictionGrid.Caption("Sneaker 93%", null), PredictionGrid.Caption.of("Sneaker", 0.93f, null));
        assertEquals(new PredictionGrid.Caption("Shirt", "Pullover"), PredictionGrid.Caption.of("Shirt", Float.NaN,
                "Pullover"), "without probabilities, the class alone");

        int n = 2;
        float[] images = digits(n, 28, 28);
        float[] probabilities = new float[n * 10];
        probabilities[3] = 0.9f;          // image 0: three, right
        probabilities[10 + 5] = 0.62f;    // image 1: five, but it is a seven
        probabilities[10 + 7] = 0.38f;
        Path png = dir.resolve("confidence.png");
        Plots.predictions(png, images, 1, 28, 28, new int[] {3, 7}, probabilities, DIGITS);
        BufferedImage img = ImageIO.read(png.toFile());
        PredictionGrid grid = new PredictionGrid(n, 28, 28);
        Rectangle right = grid.labelBox(0);
        Rectangle wrong = grid.labelBox(1);
        assertLabel(img, new Rectangle(right.x, right.y, right.width, right.height / 2), true);
        assertEquals(0, countColoured(img, new Rectangle(right.x, right.y + right.height / 2, right.width,
                right.height / 2), 0, 0, 230), "a right tile has no second line");
        assertLabel(img, new Rectangle(wrong.x, wrong.y + wrong.height / 2, wrong.width, wrong.height / 2), false);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plots.predictions(
                dir.resolve("x.png"), images, 1, 28, 28, new int[] {3, 7}, new float[19], DIGITS));
        assertEquals("Expected 2 rows of 10 class probabilities = 20 values. Received 19", e.getMessage());
    }

    @Test
    void predictionsRejectInconsistentInputs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plots.predictions(
                dir.resolve("x.png"), new float[2 * 28 * 28 - 1], 1, 28, 28, new int[2], new int[2], DIGITS));
        assertEquals("Expected 2 images of 1x28x28 = 1568 values. Received 1567", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Plots.predictions(
                dir.resolve("x.png"), new float[28 * 28], 1, 28, 28, new int[1], new int[] {10}, DIGITS));
        assertEquals("predicted[0] = 10 is outside the 10 class names", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Plots.predictions(
                dir.resolve("x.png"), new float[0], 2, 28, 28, new int[0], new int[0], DIGITS));
        assertEquals("Expected 1 (grayscale) or 3 (RGB) channels. Received channels=2", e.getMessage());
    }

    private BufferedImage curves(History h) throws IOException {
        Path png = dir.resolve("curves.png");
        Plots.curves(png, h);
        return ImageIO.read(png.toFile());
    }

    /** Text drawn in blue has strongly blue pixels and no red ones; red text the reverse. */
    private static void assertLabel(BufferedImage img, Rectangle box, boolean right) {
        int blue = 0;
        int red = 0;
        for (int y = box.y; y < box.y + box.height; y++) {
            for (int x = box.x; x < box.x + box.width; x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 255;
                int g = (rgb >> 8) & 255;
                int b = rgb & 255;
                blue += b > 150 && r < 90 && g < 90 ? 1 : 0;
                red += r > 150 && b < 90 && g < 90 ? 1 : 0;
            }
        }
        String where = "label at " + box;
        assertTrue(right ? blue > 10 : red > 10, where + ": blue=" + blue + " red=" + red);
        assertEquals(0, right ? red : blue, where + ": blue=" + blue + " red=" + red);
    }

    private static int countColoured(BufferedImage img, Rectangle box, int r, int g, int b) {
        int count = 0;
        for (int y = box.y; y < box.y + box.height; y++) {
            for (int x = box.x; x < box.x + box.width; x++) {
                int rgb = img.getRGB(x, y);
                int dr = ((rgb >> 16) & 255) - r;
                int dg = ((rgb >> 8) & 255) - g;
                int db = (rgb & 255) - b;
                count += dr * dr + dg * dg + db * db < 300 ? 1 : 0;
            }
        }
        return count;
    }

    /** Blocky synthetic "digits": a bright bar whose position depends on the index. */
    static float[] digits(int n, int h, int w) {
        float[] images = new float[n * h * w];
        for (int i = 0; i < n; i++) {
            for (int y = 4; y < h - 4; y++) {
                for (int x = 0; x < w; x++) {
                    boolean bar = Math.abs(x - (6 + (i * 3) % (w - 12))) < 3 || (y == 6 + i % 10 && x > 4 && x < w - 4);
                    images[i * h * w + y * w + x] = bar ? 1f : 0.05f * (x % 3);
                }
            }
        }
        return images;
    }
}
