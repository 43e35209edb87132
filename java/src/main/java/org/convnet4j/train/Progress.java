package org.convnet4j.train;

import java.io.PrintStream;

/**
 * Keras' progress line: {@code 1875/1875 [==============================] - 4s 2ms/step - loss: 0.5266 -
 * accuracy: 0.8071 - val_loss: 0.4031 - val_accuracy: 0.8547}. On a terminal it redraws in place
 * (at most ten times a second); otherwise it prints one line per epoch, so logs stay readable.
 */
final class Progress {
    private static final int WIDTH = 30;
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
        out.print("\r" + line(done, total, seconds, loss, accuracy, null));
        out.flush();
    }

    void epochEnd(int total, double seconds, double loss, double accuracy, double valLoss, double valAccuracy) {
        String tail = Double.isNaN(valLoss) ? null
                : String.format(" - val_loss: %.4f - val_accuracy: %.4f", valLoss, valAccuracy);
        out.print((live ? "\r" : "") + line(total, total, seconds, loss, accuracy, tail) + "\n");
        out.flush();
    }

    static String line(int done, int total, double seconds, double loss, double accuracy, String tail) {
        int width = String.valueOf(total).length();
        StringBuilder b = new StringBuilder();
        b.append(String.format("%" + width + "d/%d [", done, total));
        int filled = (int) ((long) WIDTH * done / Math.max(total, 1));
        for (int i = 0; i < WIDTH; i++) {
            b.append(i < filled ? '=' : (i == filled && done < total ? '>' : (i < filled ? '=' : '.')));
        }
        b.append("] - ").append(Math.round(seconds)).append("s ");
        double perStep = seconds / Math.max(done, 1);
        b.append(perStep >= 1 ? Math.round(perStep) + "s/step" : Math.round(perStep * 1000) + "ms/step");
        b.append(String.format(" - loss: %.4f - accuracy: %.4f", loss, accuracy));
        if (tail != null) {
            b.append(tail);
        }
        return b.toString();
    }
}
