package org.convnet4j.cli;

import java.io.IOException;
import java.nio.file.Path;

import org.convnet4j.data.Dataset;
import org.convnet4j.graph.Int8Calibration;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Weights;
import org.convnet4j.train.Predictor;

/**
 * {@code evaluate --precision int8}: calibrates the int8 predictor on the first training images, then
 * scores it and the fp32 frozen predictor on the same test images, so the accuracy change int8 costs
 * is printed beside the figure itself.
 */
final class Int8Evaluation {
    /** Keras clips probabilities to [1e-7, 1 - 1e-7] before the log of its cross-entropy. */
    private static final double EPSILON = 1e-7;

    private Int8Evaluation() {
    }

    /** Loss and correct count of one predictor over a data set. */
    private record Score(double loss, int correct, int count) {
        double accuracy() {
            return (double) correct / count;
        }
    }

    static void run(Model m, Weights w, Dataset train, Dataset test, int batch, int calibration, Path save) {
        int per = train.imageSize();
        int n = Math.min(calibration, train.size());
        if (n <= 0) {
            throw new UsageException("--calibration: expected at least 1 training image. Received " + calibration);
        }
        float[] images = new float[Math.multiplyExact(n, per)];
        for (int i = 0; i < n; i++) {
            train.copyScaled(i, images, i * per);
        }
        long start = System.nanoTime();
        Int8Calibration c = Int8Calibration.calibrate(m, w, images, n);
        System.err.printf("convnet4j: int8 calibrated on the first %d training images (%d convolution and dense layers, %.1f s)%n", n,
                c.ranges().size(), (System.nanoTime() - start) / 1e9);
        if (save != null) {
            try {
                c.write(save);
            } catch (IOException e) {
                throw new UsageException("--save-calibration: cannot write " + save + ": " + e.getMessage());
            }
            System.err.println("convnet4j: int8 calibration written to " + save + " (predict --precision int8"
                    + " --calibration-file " + save + ")");
        }
        Score q;
        try (Predictor p = new Predictor(m, w, batch, c)) {
            q = score(p, test, batch);
        }
        Score f;
        try (Predictor p = new Predictor(m, w, batch)) {
            f = score(p, test, batch);
        }
        System.out.printf("%d images - loss: %.4f - accuracy: %.4f (int8)%n", q.count(), q.loss(), q.accuracy());
        System.out.printf("%d images - loss: %.4f - accuracy: %.4f (fp32, frozen); int8 changes accuracy by %+.2f points%n",
                f.count(), f.loss(), f.accuracy(), 100 * (q.accuracy() - f.accuracy()));
    }

    private static Score score(Predictor p, Dataset test, int batch) {
        int per = test.imageSize();
        int classes = p.model().classes();
        float[] images = new float[batch * per];
        double loss = 0;
        int correct = 0;
        for (int from = 0; from < test.size(); from += batch) {
            int count = Math.min(batch, test.size() - from);
            for (int i = 0; i < count; i++) {
                test.copyScaled(from + i, images, i * per);
            }
            float[] probs = p.predict(images, count);
            for (int i = 0; i < count; i++) {
                int label = test.label(from + i);
                int best = 0;
                for (int k = 1; k < classes; k++) {
                    best = probs[i * classes + k] > probs[i * classes + best] ? k : best;
                }
                correct += best == label ? 1 : 0;
                double pl = Math.min(1 - EPSILON, Math.max(EPSILON, probs[i * classes + label]));
                loss -= Math.log(pl);
            }
        }
        return new Score(loss / test.size(), correct, test.size());
    }
}
