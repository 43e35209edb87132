package org.convnet4j.train;

import java.io.PrintStream;

/**
 * Keras' progress line: {@code 1875/1875 [==============================] - 4s 2ms/step - loss: 0.5266 -
 * accuracy: 0.8071 - val_loss: 0.4031 - val_accuracy: 0.8547}. On a terminal it redraws in place
 * (at most ten times a second), showing Keras' {@code ETA} while the epoch runs and clearing what a
 * longer earlier line left to its right; otherwise it prints one line per epoch, so logs stay readable.
 * While the validation data is evaluated after an epoch, the finished training line stays and a
 * counter with its own ETA follows it ({@code - validating: 120/313 - ETA: 3s}) until the validation
 * metrics replace it; a large validation set no longer looks like a hung run.
 */
final class Progress {
    private static final int WIDTH = 30;
    /** ANSI "erase to the end of the line": a shorter redraw leaves none of the longer one behind. */
    static final String CLEAR_TO_END = "\033[K";
    private final PrintStream out;
    private final boolean live;
    private long lastDraw;
    /** The epoch's training line as last measured, redrawn while validating. */
    private int trainDone;
    private int trainTotal;
    private double trainSeconds;
    private double trainLoss;
    private double trainAccuracy;

    Progress(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    void epochStart(int epoch, int epochs) {
        out.println("Epoch " + epoch + "/" + epochs);
    }

    void update(int done, int total, double seconds, double loss, double accuracy) {
        trainDone = done;
        trainTotal = total;
        trainSeconds = seconds;
        trainLoss = loss;
        trainAccuracy = accuracy;
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

    /** {@code done} of {@code total} validation batches evaluated in {@code seconds}. */
    void validating(int done, int total, double seconds) {
        if (!live) {
            return;
        }
        long now = System.nanoTime();
        if (done > 1 && done < total && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        out.print("\r" + line(trainDone, trainTotal, trainSeconds, trainLoss, trainAccuracy, validatingTail(done, total,
                seconds)) + CLEAR_TO_END);
        out.flush();
    }

    /** What follows the training line while validating: the batches done and the time left at this pace. */
    static String validatingTail(int done, int total, double seconds) {
        return " - validating: " + done + "/" + total + " - ETA: " + eta(seconds, done, total);
    }

    void epochEnd(int total, double seconds, double loss, double accuracy, double valLoss, double valAccuracy) {
        String tail = Double.isNaN(valLoss) ? null
                : String.format(" - val_loss: %.4f - val_accuracy: %.4f", valLoss, valAccuracy);
        out.print((live ? "\r" : "") + line(total, total, seconds, loss, accuracy, tail) + (live ? CLEAR_TO_END : "") + "\n");
        out.flush();
    }

    /** The line while an epoch runs, as Keras draws it: the bar, then the time left at this pace. */
    static String running(int done, int total, double seconds, double loss, double accuracy) {
        return bar(done, total) + " - ETA: " + eta(seconds, done, total)
                + String.format(" - loss: %.4f - accuracy: %.4f", loss, accuracy);
    }

    /** The time left at this pace, as Keras writes it: 4s, 1:55, 27:46:39. */
    private static String eta(double seconds, int done, int total) {
        long eta = Math.round(seconds / Math.max(done, 1) * (total - done));
        return eta >= 3600 ? String.format("%d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60)
                : eta >= 60 ? String.format("%d:%02d", eta / 60, eta % 60) : eta + "s";
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
