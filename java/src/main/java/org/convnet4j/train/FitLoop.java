package org.convnet4j.train;

import java.util.List;

import org.convnet4j.data.Batch;
import org.convnet4j.data.BatchLoader;
import org.convnet4j.data.Dataset;
import org.convnet4j.report.History;

/**
 * One run of {@link Fit}: the loop over the loader's batches, the step's learning rate, and what
 * ends an epoch (batch-norm recalibration, validation, history, plateau, callbacks), in that order.
 */
final class FitLoop {
    private final Trainer t;
    private final Dataset train;
    private final FitSettings s;
    private final List<Callback> callbacks;
    private final Progress progress;
    private final LearningRates rates;

    /** The running sums of the epoch being trained. */
    private static final class Epoch {
        final int number;
        final long start = System.nanoTime();
        double lossSum;
        long correct;
        long seen;
        int done;

        Epoch(int number) {
            this.number = number;
        }

        double seconds() {
            return (System.nanoTime() - start) / 1e9;
        }

        double loss() {
            return lossSum / seen;
        }

        double accuracy() {
            return (double) correct / seen;
        }
    }

    FitLoop(Trainer t, Dataset train, FitSettings s) {
        this.t = t;
        this.train = train;
        this.s = s;
        this.callbacks = s.callbacks();
        this.progress = new Progress(s.out(), s.liveProgress());
        this.rates = new LearningRates(t.optimizer().baseLearningRate(), s.schedule(), s.reduceLrOnPlateau());
    }

    Fit.Result run() {
        int first = s.firstEpoch();
        int remaining = s.epochs() - first + 1;
        rates.replay(s.history(), first);
        if (remaining <= 0) {
            callbacks.forEach(c -> c.onTrainEnd(t));
            return new Fit.Result(s.history(), false, 0, 0);
        }
        boolean stopped = false;
        long images = 0;
        double trainSeconds = 0;
        try (BatchLoader loader = BatchLoader.shuffled(train, s.batchSize(), s.seed(), first - 1, remaining,
                s.augmentation())) {
            int total = loader.batchesPerEpoch();
            Callback.TrainBegin begin = new Callback.TrainBegin(first, s.epochs(), total);
            callbacks.forEach(c -> c.onTrainBegin(begin, t));
            Epoch e = null;
            for (Batch b : loader) {
                if (b.index() == 0) {
                    e = new Epoch(b.epoch() + 1);
                    progress.epochStart(e.number, s.epochs());
                    int number = e.number;
                    callbacks.forEach(c -> c.onEpochBegin(number, t));
                }
                step(b, e, total);
                if (!b.lastInEpoch()) {
                    continue;
                }
                trainSeconds += e.seconds();
                images += e.seen;
                if (endEpoch(e, total)) {
                    stopped = true;
                    break;
                }
            }
        }
        callbacks.forEach(c -> c.onTrainEnd(t));
        return new Fit.Result(s.history(), stopped, trainSeconds > 0 ? images / trainSeconds : 0, trainSeconds);
    }

    private void step(Batch b, Epoch e, int total) {
        double rate = rates.at(new LearningRateSchedule.Position(e.number - 1, b.index(), total, s.epochs()));
        t.optimizer().learningRate(rate);
        Trainer.BatchResult r = t.trainBatch(b.images(), b.labels(), b.count());
        e.lossSum += r.loss() * r.count();
        e.correct += r.correct();
        e.seen += r.count();
        e.done++;
        progress.update(e.done, total, e.seconds(), e.loss(), e.accuracy());
        if (!callbacks.isEmpty()) {
            Callback.BatchEnd end = new Callback.BatchEnd(e.number, e.done, total, t.optimizer().iterations(),
                    r.count(), r.loss(), r.accuracy(), e.loss(), e.accuracy(), rate, t.optimizer().lastGradientNorm());
            callbacks.forEach(c -> c.onBatchEnd(end, t));
        }
    }

    /** Everything after an epoch's last step; returns whether a callback asked to stop. */
    private boolean endEpoch(Epoch e, int total) {
        if (s.preciseBatchNorm() > 0) {
            PreciseBatchNorm.run(t, train, s.batchSize(), s.preciseBatchNorm(), s.seed() + 1_000_003L * e.number);
        }
        double valLoss = Double.NaN;
        double valAccuracy = Double.NaN;
        if (s.validation() != null) {
            Trainer.BatchResult v = Fit.evaluate(t.evaluator(), s.validation(), s.batchSize(), progress);
            valLoss = v.loss();
            valAccuracy = v.accuracy();
        }
        double seconds = e.seconds();
        progress.epochEnd(total, seconds, e.loss(), e.accuracy(), valLoss, valAccuracy);
        History.Epoch h = new History.Epoch(e.number, e.loss(), e.accuracy(), valLoss, valAccuracy, seconds);
        s.history().add(h);
        rates.epochEnd(h, s.out());
        boolean stop = false;
        for (Callback c : callbacks) {
            stop |= c.onEpochEnd(h, t);
        }
        return stop;
    }
}
