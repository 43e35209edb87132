package org.convnet4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.convnet4j.data.Dataset;
import org.convnet4j.report.Plots;
import org.convnet4j.train.Trainer;

/** The pictures a run leaves: the predictions grid of the first 50 test images. */
final class Reports {
    static final int GRID = 50;

    private Reports() {
    }

    /** Predicts the first 50 test images and draws them labelled with the predicted class (blue right, red wrong). */
    static Path predictions(Path out, Trainer t, Dataset test) {
        int n = Math.min(GRID, test.size());
        int size = test.imageSize();
        float[] images = new float[n * size];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            test.copyScaled(i, images, i * size);
            labels[i] = test.label(i);
        }
        float[] probs = t.predictBatch(images, n);
        int k = t.model().classes();
        int[] predicted = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (probs[i * k + c] > probs[i * k + best]) {
                    best = c;
                }
            }
            predicted[i] = best;
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out, e);
        }
        Path png = out.resolve("predictions.png");
        Plots.predictions(png, images, test.channels(), test.height(), test.width(), labels, predicted, test.classNames());
        return png;
    }
}
