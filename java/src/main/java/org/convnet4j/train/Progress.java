package org.convnet4j.train;

import java.io.PrintStream;

/**
 * Keras' progress line: {@code 1875/1875 [==============================] - 4s 2ms/step - loss: 0.5266 -
 * accuracy: 0.8071 - val_loss: 0.4031 - val_accuracy: 0.8547}. On a terminal it redraws in place
 * (at most ten times a second), showing Keras' {@code ETA} while the epoch runs and clearing what a
 * longer earlier line left to its right; otherwise it prints one line per epoch, so logs stay readable.
 */
final class Progress {
    private static final int WIDTH = 30;
    /** ANSI "erase to the end of the line": a shorter redraw leaves none of the longer one behind. */
    static final String CLEAR_TO_END = "\033[K";
    private final PrintStream out;
    private final boolean live;
    private long lastDraw;

    Progress(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    void epochStart(int epoch, int epochs) {
        out.println("Epoch " + epoch + "/" + epochs);
    }

    void update(int done, int total, double seconds, double loss, double accuracy) {
        if (!live) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        out.print("\r" + (done < total ? running(done, total, seconds, loss, accuracy) : line(done, total, seconds, loss,
                accuracy, null)) + CLEAR_TO_END);
        out.flush();
    }

    void epochEnd(int total, double seconds, double loss, double accuracy, double valLoss, double valAccuracy) {
        String tail = Double.isNaN(valLoss) ? null
                : String.format(" - val_loss: %.4f - val_accuracy: %.4f", valLoss, valAccuracy);
        out.print((live ? "\r" : "") + line(total, total, seconds, loss, accuracy, tail) + (live ? CLEAR_TO_END : "") + "\n");
        out.flush();
    }

    /** The line while an epoch runs, as Keras draws it: the bar, then the time left at this pace. */
    static String running(int done, int total, double seconds, double loss, double accuracy) {
        String bar = bar(done, total);
        long eta = Math.round(seconds / Math.max(done, 1) * (total - done));
        String left = eta >= 3600 ? String.format("%d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60)
                : eta >= 60 ? String.format("%d:%02d", eta / 60, eta % 60) : eta + "s";
        return bar + " - ETA: " + left + String.format(" - loss: %.4f - accuracy: %.4f", loss, accuracy);
    }

    private static String bar(int done, int total) {
        int width = String.valueOf(total).length();
        StringBuilder b = new StringBuilder();
        b.append(String.format("%" + width + "d/%d [", done, total));
        int filled = (int) ((long) WIDTH * done / Math.max(total, 1));
        for (int i = 0; i < WIDTH; i++) {
            b.append(i < filled ? '=' : (i == filled && done < total ? '>' : '.'));
        }
        return b.append(']').toString();
    }

    static String line(int done, int total, double seconds, double loss, double accuracy, String tail) {
        StringBuilder b = new StringBuilder(bar(done, total));
        b.append(" - ").append(Math.round(seconds)).append("s ");
        double perStep = seconds / Math.max(done, 1);
        b.append(perStep >= 1 ? Math.round(perStep) + "s/step" : Math.round(perStep * 1000) + "ms/step");
        b.append(String.format(" - loss: %.4f - accuracy: %.4f", loss, accuracy));
        if (tail != null) {
            b.append(tail);
        }
        return b.toString();
    }
}
