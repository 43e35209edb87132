package org.convnet4j.train;

import java.util.List;
import java.util.function.BiFunction;

import org.convnet4j.backend.Backend;
import org.convnet4j.data.Batch;
import org.convnet4j.data.BatchLoader;
import org.convnet4j.data.Dataset;
import org.convnet4j.graph.BatchNormStatistics;

/**
 * Precise batch norm: replaces every batch-norm layer's moving statistics by the statistics of the
 * current weights over a sample of training images, so that inference sees what training normalized
 * with.
 *
 * <p>Why: Keras' moving averages (momentum 0.99) remember about the last hundred steps, and early in
 * training the weights move faster than that. A ResNet-50 trained two epochs on tf_flowers (160 steps)
 * scored 55% on validation with batch statistics but 23% (one class for every image) with its moving
 * averages: the stale statistics of 50 layers compound. Recomputing them costs one forward pass per
 * sampled batch and changes no weight.
 *
 * <p>How: training-mode forward passes over {@code batches} full batches; per channel, the population
 * mean is the mean of the batch means and the population variance is the mean of (batch variance +
 * batch mean^2) minus the squared population mean (batches of equal size, biased variances, as Keras
 * keeps them). Accumulated in double on the host.
 */
public final class PreciseBatchNorm {
    private PreciseBatchNorm() {
    }

    /**
     * Recalibrates from up to {@code batches} full batches of {@code data} in a shuffled order drawn
     * from {@code seed}; returns the number of batches used (0 when the model has no batch norm).
     * Overwrites every batch-norm layer's moving mean and variance; no weight changes.
     *
     * @param t the trainer whose model is recalibrated
     * @param data the training images
     * @param batchSize images per batch; only full batches are used
     * @param batches the most batches to use, &gt; 0
     * @param seed the shuffle's seed
     * @return the batches used
     * @throws IllegalArgumentException if batches is not positive
     */
    public static int run(Trainer t, Dataset data, int batchSize, int batches, long seed) {
        return run((images, count) -> t.forwardTraining(images, count), t.backend(), data, batchSize, batches, seed);
    }

    /**
     * The same without a trainer (weights loaded for evaluation): training-mode forward passes of an
     * {@link Evaluator}, with dropout drawn as in training step {@code step}.
     *
     * @param e the evaluator whose weights are recalibrated
     * @param backend the evaluator's backend
     * @param data the training images
     * @param batchSize images per batch; only full batches are used
     * @param batches the most batches to use, &gt; 0
     * @param seed the shuffle's seed
     * @param step the training step whose dropout masks the passes draw
     * @return the batches used
     * @throws IllegalArgumentException if batches is not positive
     */
    public static int run(Evaluator e, Backend backend, Dataset data, int batchSize, int batches, long seed, long step) {
        return run((images, count) -> e.forwardTraining(images, count, step), backend, data, batchSize, batches, seed);
    }

    private static int run(BiFunction<float[], Integer, List<BatchNormStatistics>> forward, Backend backend, Dataset data,
                           int batchSize, int batches, long seed) {
        if (batches <= 0) {
            throw new IllegalArgumentException("precise batch norm: expected a positive number of batches. Received " + batches);
        }
        double[][] sum = null;
        double[][] sumSquares = null;
        List<BatchNormStatistics> layers = null;
        int used = 0;
        try (BatchLoader loader = BatchLoader.shuffled(data, batchSize, seed, 0, 1)) {
            for (Batch b : loader) {
                if (used == batches) {
                    break;
                }
                if (b.count() != batchSize) {
                    continue;
                }
                layers = forward.apply(b.images(), b.count());
                if (layers.isEmpty()) {
                    return 0;
                }
                if (sum == null) {
                    sum = new double[layers.size()][];
                    sumSquares = new double[layers.size()][];
                }
                for (int i = 0; i < layers.size(); i++) {
                    int c = layers.get(i).op().channels();
                    float[] saved = new float[2 * c];
                    backend.download(layers.get(i).saved(), saved);
                    if (sum[i] == null) {
                        sum[i] = new double[c];
                        sumSquares[i] = new double[c];
                    }
                    for (int k = 0; k < c; k++) {
                        sum[i][k] += saved[k];
                        sumSquares[i][k] += saved[c + k] + (double) saved[k] * saved[k];
                    }
                }
                used++;
            }
        }
        if (used == 0) {
            throw new IllegalArgumentException("precise batch norm: no full batch of " + batchSize + " in " + data.size()
                    + " images");
        }
        for (int i = 0; i < layers.size(); i++) {
            int c = sum[i].length;
            float[] mean = new float[c];
            float[] variance = new float[c];
            for (int k = 0; k < c; k++) {
                double m = sum[i][k] / used;
                mean[k] = (float) m;
                variance[k] = (float) Math.max(0, sumSquares[i][k] / used - m * m);
            }
            backend.upload(mean, layers.get(i).params().movingMean());
            backend.upload(variance, layers.get(i).params().movingVariance());
        }
        return used;
    }
}
