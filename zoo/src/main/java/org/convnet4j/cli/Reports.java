package org.convnet4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.convnet4j.data.Dataset;
import org.convnet4j.report.Plots;

/** The pictures a run leaves: the predictions grid of the first 50 test images. */
final class Reports {
    static final int GRID = 50;

    private Reports() {
    }

    /** Class probabilities (count x classes) of count images: a trainer's or a predictor's. */
    @FunctionalInterface
    interface Classifier {
        float[] probabilities(float[] images, int count);
    }

    /** How many test images the grid shows: the first 50, or all of a smaller set. */
    static int gridSize(Dataset test) {
        return Math.min(GRID, test.size());
    }

    /**
     * Predicts the first 50 test images and draws them labelled with the predicted class and its
     * probability (blue right; red wrong, with the true class below).
     */
    static Path predictions(Path out, Dataset test, int classes, Classifier model) {
        int n = gridSize(test);
        int size = test.imageSize();
        float[] images = new float[n * size];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            test.copyScaled(i, images, i * size);
            labels[i] = test.label(i);
        }
        float[] probs = model.probabilities(images, n);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out, e);
        }
        Path png = out.resolve("predictions.png");
        Plots.predictions(png, images, test.channels(), test.height(), test.width(), labels, probs, test.classNames());
        return png;
    }
}
