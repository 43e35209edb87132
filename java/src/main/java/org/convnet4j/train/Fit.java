package org.convnet4j.train;

import java.io.PrintStream;
import java.util.List;

import org.convnet4j.data.Batch;
import org.convnet4j.data.BatchLoader;
import org.convnet4j.data.Dataset;
import org.convnet4j.report.History;

/**
 * Keras' {@code fit}: epochs of seeded-shuffled batches (assembled, and augmented when asked, on a
 * background thread), the learning rate of every step from a schedule and ReduceLROnPlateau, the
 * optional validation pass after each epoch, a progress line, the history, and callbacks. A run resumed
 * at {@code initialEpoch} k sees exactly the batches, augmentations and learning rates an uninterrupted
 * run sees from epoch k + 1 on. Settings by name: {@link FitSettings}; the usual entry point, which
 * also owns the backend, weights and optimizer, is {@link Learner}.
 */
public final class Fit {
    /**
     * What a run did: the history, whether a callback stopped it, and its training throughput.
     *
     * @param history one entry per epoch run (the settings' history, appended to)
     * @param stoppedEarly whether a callback stopped the run before its last epoch
     * @param imagesPerSecond training images per second of training time
     * @param trainSeconds the wall time of the training passes, in seconds (validation excluded)
     */
    public record Result(History history, boolean stoppedEarly, double imagesPerSecond, double trainSeconds) {
    }

    /**
     * The loop's settings, positionally: {@link FitSettings} names them and has the rest.
     * {@code firstEpoch} is 1 for a fresh run. {@code preciseBatchNorm} > 0 recalibrates the batch-norm
     * statistics from that many training batches after each epoch, before validation and callbacks
     * ({@link PreciseBatchNorm}); 0 keeps Keras' moving averages alone.
     *
     * @deprecated use {@link FitSettings#builder()}
     */
    @Deprecated
    public record Options(int epochs, int batchSize, long seed, int firstEpoch, boolean liveProgress,
                          int preciseBatchNorm) {
        /**
         * Settings, checked.
         *
         * @param epochs the last epoch, &gt; 0
         * @param batchSize images per batch, &gt; 0
         * @param seed the shuffling and augmentation seed
         * @param firstEpoch the 1-based epoch to start at, &gt; 0
         * @param liveProgress whether the progress line is redrawn during an epoch
         * @param preciseBatchNorm training batches for batch-norm recalibration after each epoch, &gt;= 0
         * @throws IllegalArgumentException if a value is out of range
         */
        public Options {
            if (epochs <= 0 || batchSize <= 0 || firstEpoch <= 0 || preciseBatchNorm < 0) {
                throw new IllegalArgumentException("fit: expected epochs, batch size and first epoch > 0 and precise "
                        + "batch-norm batches >= 0. Received epochs=" + epochs + ", batch size=" + batchSize
                        + ", first epoch=" + firstEpoch + ", precise batch norm=" + preciseBatchNorm);
            }
        }

        /**
         * Settings without batch-norm recalibration.
         *
         * @param epochs the last epoch, &gt; 0
         * @param batchSize images per batch, &gt; 0
         * @param seed the shuffling and augmentation seed
         * @param firstEpoch the 1-based epoch to start at, &gt; 0
         * @param liveProgress whether the progress line is redrawn during an epoch
         */
        public Options(int epochs, int batchSize, long seed, int firstEpoch, boolean liveProgress) {
            this(epochs, batchSize, seed, firstEpoch, liveProgress, 0);
        }
    }

    private Fit() {
    }

    /**
     * The positional form, kept for existing callers; it runs {@link #run(Trainer, Dataset, FitSettings)}.
     *
     * @param t the trainer
     * @param train the training set
     * @param validation the validation set, or null for none
     * @param o the loop's settings
     * @param history appended one entry per epoch
     * @param callbacks called after each epoch
     * @param out where progress lines go
     * @return what the run did
     * @throws NonFiniteLossException if the loss becomes NaN or infinite
     * @deprecated use {@link Learner#fit} or {@link #run(Trainer, Dataset, FitSettings)}
     */
    @Deprecated
    public static Result run(Trainer t, Dataset train, Dataset validation, Options o, History history,
                             List<Callback> callbacks, PrintStream out) {
        return run(t, train, FitSettings.builder().epochs(o.epochs()).batchSize(o.batchSize()).seed(o.seed())
                .initialEpoch(o.firstEpoch() - 1).liveProgress(o.liveProgress()).preciseBatchNorm(o.preciseBatchNorm())
                .validation(validation).history(history).callbacks(callbacks).out(out).build());
    }

    /**
     * Trains {@code t} on {@code train} as {@code settings} say; the history is {@code settings.history()}.
     * Runs on the calling thread (batches are assembled on a background one).
     *
     * @param t the trainer, whose weights and optimizer are updated in place
     * @param train the training set
     * @param settings epochs, batch size, seed, validation, callbacks and the rest
     * @return what the run did
     * @throws NonFiniteLossException if the loss becomes NaN or infinite
     */
    public static Result run(Trainer t, Dataset train, FitSettings settings) {
        return new FitLoop(t, train, settings).run();
    }

    /**
     * Mean loss and accuracy of the main output over a whole data set, in inference mode.
     *
     * @param t the trainer whose weights are evaluated
     * @param data the images and labels, read in order
     * @param batchSize images per batch (the last batch may be smaller)
     * @return the loss averaged over images, and the correct count
     */
    public static Trainer.BatchResult evaluate(Trainer t, Dataset data, int batchSize) {
        return evaluate(t.evaluator(), data, batchSize);
    }

    /**
     * The same on an evaluator: weights loaded for evaluation, no optimizer.
     *
     * @param t the evaluator
     * @param data the images and labels, read in order
     * @param batchSize images per batch (the last batch may be smaller)
     * @return the loss averaged over images, and the correct count
     */
    public static Trainer.BatchResult evaluate(Evaluator t, Dataset data, int batchSize) {
        return evaluate(t, data, batchSize, null);
    }

    /** As above, telling {@code progress} (may be null) after each batch. */
    static Trainer.BatchResult evaluate(Evaluator t, Dataset data, int batchSize, Progress progress) {
        double loss = 0;
        int correct = 0;
        int count = 0;
        long start = System.nanoTime();
        try (BatchLoader loader = BatchLoader.inOrder(data, batchSize)) {
            int total = loader.batchesPerEpoch();
            int done = 0;
            for (Batch b : loader) {
                Trainer.BatchResult r = t.evaluateBatch(b.images(), b.labels(), b.count());
                loss += r.loss() * r.count();
                correct += r.correct();
                count += r.count();
                if (progress != null) {
                    progress.validating(++done, total, (System.nanoTime() - start) / 1e9);
                }
            }
        }
        return new Trainer.BatchResult(loss / Math.max(count, 1), correct, count);
    }
}
