package org.convnet4j.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.convnet4j.io.AtomicFiles;

/**
 * PNG reports of a training run: learning curves and a grid of test predictions. Drawn with Java2D in
 * headless mode, since training runs on servers without a display, and written atomically like
 * every other file a run leaves behind.
 */
public final class Plots {
    static final int CURVES_WIDTH = 1000;
    static final int CURVES_HEIGHT = 420;
    // matplotlib's first two colours, so the curves look like the Keras examples' plots.
    private static final Color TRAIN = new Color(31, 119, 180);
    private static final Color VALIDATION = new Color(255, 127, 14);

    static {
        // Only when the user has not chosen: AWT reads the property once, at its first use.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Plots() {
    }

    /**
     * Loss and accuracy per epoch, training and validation, side by side in a 1000x420 PNG. Epochs
     * without validation leave gaps; a history without any leaves the validation line out.
     *
     * @param png the image file to write
     * @param h the run's history
     */
    public static void curves(Path png, History h) {
        List<History.Epoch> epochs = h.epochs();
        int n = epochs.size();
        double[] x = new double[n];
        double[][] columns = new double[4][n];
        for (int i = 0; i < n; i++) {
            History.Epoch e = epochs.get(i);
            x[i] = e.epoch();
            columns[0][i] = e.loss();
            columns[1][i] = e.valLoss();
            columns[2][i] = e.accuracy();
            columns[3][i] = e.valAccuracy();
        }
        BufferedImage img = canvas(CURVES_WIDTH, CURVES_HEIGHT);
        Graphics2D g = img.createGraphics();
        try {
            smooth(g);
            int half = CURVES_WIDTH / 2;
            LinePanel.draw(g, new Rectangle(0, 0, half, CURVES_HEIGHT), "Training and validation loss",
                    "epoch", "loss", x, pair(columns[0], columns[1]));
            LinePanel.draw(g, new Rectangle(half, 0, half, CURVES_HEIGHT), "Training and validation accuracy",
                    "epoch", "accuracy", x, pair(columns[2], columns[3]));
        } finally {
            g.dispose();
        }
        writePng(png, img);
    }

    /**
     * The first 50 images, 10 to a row, each enlarged and labelled with its predicted class name: blue
     * where the prediction equals the label, red where it does not, and then also the true class
     * underneath, in brackets. images holds count x channels x height x width values in [0, 1], count
     * being labels.length; channels is 1 (grayscale) or 3 (RGB).
     *
     * @param png the image file to write
     * @param images the images
     * @param channels 1 or 3
     * @param height rows per image
     * @param width columns per image
     * @param labels the true classes
     * @param predicted the predicted classes
     * @param classNames the class names
     */
    public static void predictions(Path png, float[] images, int channels, int height, int width, int[] labels,
                                   int[] predicted, List<String> classNames) {
        float[] unknown = new float[labels.length];
        java.util.Arrays.fill(unknown, Float.NaN);
        draw(png, images, channels, height, width, labels, predicted, unknown, classNames);
    }

    /**
     * As the TensorFlow classification tutorial labels its test images: each image with its predicted
     * class and that class's probability, "Sneaker 93%", in blue where right; in red where wrong, with
     * the true class underneath, "Shirt 62%" over "(Pullover)". probabilities holds count x classes
     * values, one row per image (a model's softmax output), count being labels.length.
     *
     * @param png the image file to write
     * @param images the images
     * @param channels 1 or 3
     * @param height rows per image
     * @param width columns per image
     * @param labels the true classes
     * @param probabilities count x classes probabilities
     * @param classNames the class names
     */
    public static void predictions(Path png, float[] images, int channels, int height, int width, int[] labels,
                                   float[] probabilities, List<String> classNames) {
        int n = labels.length;
        int k = classNames.size();
        if (probabilities.length != (long) n * k) {
            throw new IllegalArgumentException("Expected " + n + " rows of " + k + " class probabilities = "
                    + (long) n * k + " values. Received " + probabilities.length);
        }
        int[] predicted = new int[n];
        float[] confidence = new float[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (probabilities[i * k + c] > probabilities[i * k + best]) {
                    best = c;
                }
            }
            predicted[i] = best;
            confidence[i] = probabilities[i * k + best];
        }
        draw(png, images, channels, height, width, labels, predicted, confidence, classNames);
    }

    private static void draw(Path png, float[] images, int channels, int height, int width, int[] labels,
                             int[] predicted, float[] confidence, List<String> classNames) {
        checkPredictions(images, channels, height, width, labels, predicted, classNames);
        PredictionGrid grid = new PredictionGrid(labels.length, height, width);
        List<BufferedImage> tiles = new ArrayList<>();
        List<PredictionGrid.Caption> captions = new ArrayList<>();
        for (int i = 0; i < grid.count; i++) {
            tiles.add(tile(images, i, channels, height, width));
            captions.add(PredictionGrid.Caption.of(classNames.get(predicted[i]), confidence[i],
                    predicted[i] == labels[i] ? null : className(classNames, labels[i])));
        }
        // Nearest neighbour keeps a digit's pixels crisp; photos read better interpolated.
        writePng(png, grid.draw(tiles, captions, channels == 3));
    }

    private static String className(List<String> names, int label) {
        return label >= 0 && label < names.size() ? names.get(label) : "class " + label;
    }

    private static List<LinePanel.Series> pair(double[] train, double[] validation) {
        return List.of(new LinePanel.Series("training", TRAIN, train),
                new LinePanel.Series("validation", VALIDATION, validation));
    }

    private static void checkPredictions(float[] images, int channels, int height, int width, int[] labels,
                                         int[] predicted, List<String> classNames) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("Expected 1 (grayscale) or 3 (RGB) channels. Received channels="
                    + channels);
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("Image sizes must be positive. Received height=" + height
                    + ", width=" + width);
        }
        if (labels.length != predicted.length) {
            throw new IllegalArgumentException("Expected one prediction per label. Received " + labels.length
                    + " labels and " + predicted.length + " predictions");
        }
        long expected = (long) labels.length * channels * height * width;
        if (images.length != expected) {
            throw new IllegalArgumentException("Expected " + labels.length + " images of " + channels + "x"
                    + height + "x" + width + " = " + expected + " values. Received " + images.length);
        }
        for (int i = 0; i < Math.min(labels.length, PredictionGrid.MAX_IMAGES); i++) {
            if (predicted[i] < 0 || predicted[i] >= classNames.size()) {
                throw new IllegalArgumentException("predicted[" + i + "] = " + predicted[i]
                        + " is outside the " + classNames.size() + " class names");
            }
        }
    }

    /** Image i of a count x C x H x W batch as an RGB image, values clamped to [0, 1]. */
    private static BufferedImage tile(float[] images, int i, int channels, int height, int width) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        int base = i * channels * plane;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = base + y * width + x;
                int r = byteOf(images[p]);
                int gr = channels == 1 ? r : byteOf(images[p + plane]);
                int b = channels == 1 ? r : byteOf(images[p + 2 * plane]);
                img.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return img;
    }

    private static int byteOf(float v) {
        return Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
    }

    private static BufferedImage canvas(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return img;
    }

    private static void smooth(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    }

    private static void writePng(Path png, BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", bytes)) {
                throw new IllegalStateException("This JVM has no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode " + png + ": " + e, e);
        }
        AtomicFiles.write(png, bytes.toByteArray());
    }
}
