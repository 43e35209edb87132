package org.convnet4j.train;

import java.io.PrintStream;
import java.util.List;

import org.convnet4j.data.Batch;
import org.convnet4j.data.BatchLoader;
import org.convnet4j.data.Dataset;
import org.convnet4j.report.History;

/**
 * Keras' {@code fit}: epochs of seeded-shuffled batches (assembled on a background thread), the
 * optional validation pass after each, a progress line, the history, and callbacks. A run resumed at
 * {@code firstEpoch} k sees exactly the batches an uninterrupted run sees from epoch k on.
 */
public final class Fit {
    /** What a run did: the history, whether a callback stopped it, and its training throughput. */
    public record Result(History history, boolean stoppedEarly, double imagesPerSecond, double trainSeconds) {
    }

    /**
     * The loop's settings. {@code firstEpoch} is 1 for a fresh run. {@code preciseBatchNorm} > 0
     * recalibrates the batch-norm statistics from that many training batches after each epoch, before
     * validation and callbacks ({@link PreciseBatchNorm}); 0 keeps Keras' moving averages alone.
     */
    public record Options(int epochs, int batchSize, long seed, int firstEpoch, boolean liveProgress,
                          int preciseBatchNorm) {
        public Options {
            if (epochs <= 0 || batchSize <= 0 || firstEpoch <= 0 || preciseBatchNorm < 0) {
                throw new IllegalArgumentException("fit: expected epochs, batch size and first epoch > 0 and precise "
                        + "batch-norm batches >= 0. Received epochs=" + epochs + ", batch size=" + batchSize
                        + ", first epoch=" + firstEpoch + ", precise batch norm=" + preciseBatchNorm);
            }
        }

        public Options(int epochs, int batchSize, long seed, int firstEpoch, boolean liveProgress) {
            this(epochs, batchSize, seed, firstEpoch, liveProgress, 0);
        }
    }

    private Fit() {
    }

    public static Result run(Trainer t, Dataset train, Dataset validation, Options o, History history,
                             List<Callback> callbacks, PrintStream out) {
        Progress progress = new Progress(out, o.liveProgress());
        boolean stopped = false;
        long images = 0;
        double trainSeconds = 0;
        int remaining = o.epochs() - o.firstEpoch() + 1;
        if (remaining <= 0) {
            callbacks.forEach(c -> c.onTrainEnd(t));
            return new Result(history, false, 0, 0);
        }
        try (BatchLoader loader = BatchLoader.shuffled(train, o.batchSize(), o.seed(), o.firstEpoch() - 1, remaining)) {
            int total = loader.batchesPerEpoch();
            int epoch = o.firstEpoch();
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            int done = 0;
            long start = System.nanoTime();
            progress.epochStart(epoch, o.epochs());
            for (Batch b : loader) {
                Trainer.BatchResult r = t.trainBatch(b.images(), b.labels(), b.count());
                lossSum += r.loss() * r.count();
                correct += r.correct();
                seen += r.count();
                done++;
                double elapsed = (System.nanoTime() - start) / 1e9;
                progress.update(done, total, elapsed, lossSum / seen, (double) correct / seen);
                if (!b.lastInEpoch()) {
                    continue;
                }
                double epochTrain = (System.nanoTime() - start) / 1e9;
                trainSeconds += epochTrain;
                images += seen;
                if (o.preciseBatchNorm() > 0) {
                    PreciseBatchNorm.run(t, train, o.batchSize(), o.preciseBatchNorm(), o.seed() + 1_000_003L * epoch);
                }
                double valLoss = Double.NaN;
                double valAccuracy = Double.NaN;
                if (validation != null) {
                    Trainer.BatchResult v = evaluate(t, validation, o.batchSize());
                    valLoss = v.loss();
                    valAccuracy = (double) v.correct() / v.count();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                progress.epochEnd(total, seconds, lossSum / seen, (double) correct / seen, valLoss, valAccuracy);
                History.Epoch e = new History.Epoch(epoch, lossSum / seen, (double) correct / seen, valLoss, valAccuracy, seconds);
                history.add(e);
                boolean stop = false;
                for (Callback c : callbacks) {
                    stop |= c.onEpochEnd(e, t);
                }
                if (stop) {
                    stopped = true;
                    break;
                }
                epoch++;
                if (epoch > o.epochs()) {
                    break;
                }
                lossSum = 0;
                correct = 0;
                seen = 0;
                done = 0;
                start = System.nanoTime();
                progress.epochStart(epoch, o.epochs());
            }
        }
        for (Callback c : callbacks) {
            c.onTrainEnd(t);
        }
        return new Result(history, stopped, trainSeconds > 0 ? images / trainSeconds : 0, trainSeconds);
    }

    /** Mean loss and accuracy of the main output over a whole data set, in inference mode. */
    public static Trainer.BatchResult evaluate(Trainer t, Dataset data, int batchSize) {
        return evaluate(t.evaluator(), data, batchSize);
    }

    /** The same on an evaluator: weights loaded for evaluation, no optimizer. */
    public static Trainer.BatchResult evaluate(Evaluator t, Dataset data, int batchSize) {
        double loss = 0;
        int correct = 0;
        int count = 0;
        try (BatchLoader loader = BatchLoader.inOrder(data, batchSize)) {
            for (Batch b : loader) {
                Trainer.BatchResult r = t.evaluateBatch(b.images(), b.labels(), b.count());
                loss += r.loss() * r.count();
                correct += r.correct();
                count += r.count();
            }
        }
        return new Trainer.BatchResult(loss / Math.max(count, 1), correct, count);
    }
}
