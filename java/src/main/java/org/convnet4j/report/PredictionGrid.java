package org.convnet4j.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The layout and drawing of a predictions grid: up to 50 images, 10 to a row, each enlarged and
 * labelled underneath with its predicted class and confidence, blue where right and red where wrong
 * with the true class on a second line, the way the TensorFlow classification tutorial shows a
 * classifier's test predictions ("Shirt 62% (Pullover)"); two lines, so a label fits its tile.
 */
final class PredictionGrid {
    static final int COLUMNS = 10;
    static final int MAX_IMAGES = 50;
    static final Color RIGHT = new Color(0, 0, 230);
    static final Color WRONG = new Color(220, 0, 0);
    static final String TITLE = "predicted class and confidence (blue: right; red: wrong, true class below)";

    /**
     * What is written under one image: the predicted class, its probability (NaN: not known, not
     * shown) and, for a wrong prediction, the true class (null when right).
     */
    record Caption(String predicted, String truth) {
        static Caption of(String predicted, float confidence, String truth) {
            String first = Float.isNaN(confidence) ? predicted
                    : predicted + " " + Math.round(100.0 * confidence) + "%";
            return new Caption(first, truth);
        }

        boolean right() {
            return truth == null;
        }
    }

    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 18);
    private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    /** Images are enlarged to about this many pixels across: big enough to see, 10 still fit a screen. */
    private static final int TARGET_SIZE = 110;
    private static final int MIN_CELL_WIDTH = 136;
    private static final int MARGIN = 10;
    private static final int TITLE_HEIGHT = 46;
    private static final int LINE_HEIGHT = 20;
    private static final int LABEL_HEIGHT = 2 * LINE_HEIGHT;
    private static final int GAP = 12;

    final int count;
    final int rows;
    final int imageWidth;
    final int imageHeight;
    final int cellWidth;
    final int cellHeight;

    /** The layout for count images of height x width pixels. */
    PredictionGrid(int count, int height, int width) {
        this.count = Math.min(count, MAX_IMAGES);
        this.rows = Math.max(1, (this.count + COLUMNS - 1) / COLUMNS);
        double scale = scale(height, width);
        this.imageWidth = (int) Math.round(width * scale);
        this.imageHeight = (int) Math.round(height * scale);
        this.cellWidth = Math.max(imageWidth, MIN_CELL_WIDTH) + GAP;
        this.cellHeight = imageHeight + 4 + LABEL_HEIGHT + GAP;
    }

    int width() {
        return 2 * MARGIN + COLUMNS * cellWidth;
    }

    int height() {
        return TITLE_HEIGHT + rows * cellHeight + MARGIN;
    }

    /** Where image i is drawn. */
    Rectangle imageBox(int i) {
        int x = MARGIN + (i % COLUMNS) * cellWidth + (cellWidth - imageWidth) / 2;
        int y = TITLE_HEIGHT + (i / COLUMNS) * cellHeight;
        return new Rectangle(x, y, imageWidth, imageHeight);
    }

    /** The strip under image i that holds its label's two lines. */
    Rectangle labelBox(int i) {
        int x = MARGIN + (i % COLUMNS) * cellWidth;
        int y = TITLE_HEIGHT + (i / COLUMNS) * cellHeight + imageHeight + 4;
        return new Rectangle(x, y, cellWidth, LABEL_HEIGHT);
    }

    BufferedImage draw(List<BufferedImage> images, List<Caption> captions, boolean smooth) {
        BufferedImage out = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(TITLE_FONT);
            g.setColor(Color.BLACK);
            g.drawString(TITLE, (out.getWidth() - g.getFontMetrics().stringWidth(TITLE)) / 2, 30);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, smooth
                    ? RenderingHints.VALUE_INTERPOLATION_BILINEAR : RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setFont(LABEL_FONT);
            for (int i = 0; i < count; i++) {
                Rectangle image = imageBox(i);
                g.drawImage(images.get(i), image.x, image.y, image.width, image.height, null);
                g.setColor(new Color(190, 190, 190));
                g.drawRect(image.x - 1, image.y - 1, image.width + 1, image.height + 1);
                Caption c = captions.get(i);
                Rectangle box = labelBox(i);
                Color color = c.right() ? RIGHT : WRONG;
                label(g, new Rectangle(box.x, box.y, box.width, LINE_HEIGHT), c.predicted(), color);
                if (!c.right()) {
                    label(g, new Rectangle(box.x, box.y + LINE_HEIGHT, box.width, LINE_HEIGHT), "(" + c.truth() + ")",
                            color);
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void label(Graphics2D g, Rectangle box, String text, Color color) {
        FontMetrics fm = g.getFontMetrics();
        String shown = fit(text, fm, box.width - 6);
        g.setColor(color);
        g.drawString(shown, box.x + (box.width - fm.stringWidth(shown)) / 2,
                box.y + (box.height + fm.getAscent() - fm.getDescent()) / 2);
    }

    /** The text, cut with an ellipsis where it would run into the next cell. */
    private static String fit(String text, FontMetrics fm, int width) {
        if (fm.stringWidth(text) <= width) {
            return text;
        }
        int end = text.length();
        while (end > 0 && fm.stringWidth(text.substring(0, end) + "\u2026") > width) {
            end--;
        }
        return text.substring(0, end) + "\u2026";
    }

    // Small images (MNIST's 28x28, CIFAR's 32x32) grow by a whole factor so every source pixel stays the
    // same size; large photos shrink to fit.
    private static double scale(int height, int width) {
        int longest = Math.max(height, width);
        if (longest <= TARGET_SIZE) {
            return Math.max(1, Math.round((double) TARGET_SIZE / longest));
        }
        return (double) TARGET_SIZE / longest;
    }
}
