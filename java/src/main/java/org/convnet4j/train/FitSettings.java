package org.convnet4j.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.convnet4j.data.Augmentation;
import org.convnet4j.data.Dataset;
import org.convnet4j.report.History;

/**
 * Everything {@link Fit} and {@link Learner#fit} do besides the data: Keras' {@code fit} arguments by
 * name, made with {@link #builder()}. Every setting has a default:
 * <ul>
 * <li>{@code epochs} 1 and {@code batchSize} 32, as Keras;</li>
 * <li>{@code seed} 1: the shuffle order, dropout masks and augmentation draws are functions of it;</li>
 * <li>{@code initialEpoch} 0: Keras' {@code initial_epoch}, the epochs a resumed run has already
 * trained (their metrics in {@code history});</li>
 * <li>{@code validation} none; {@code callbacks} none; {@code history} a new one, which the run fills;</li>
 * <li>{@code out} System.out, with the progress line redrawn in place when {@code liveProgress} (by
 * default when there is a console);</li>
 * <li>{@code schedule} constant, {@code reduceLrOnPlateau} none, {@code augmentation} none,
 * {@code preciseBatchNorm} 0 (off; see {@link PreciseBatchNorm}).</li>
 * </ul>
 */
public record FitSettings(int epochs, int batchSize, long seed, int initialEpoch, Dataset validation,
                          List<Callback> callbacks, History history, PrintStream out, boolean liveProgress,
                          LearningRateSchedule schedule, ReduceLROnPlateau reduceLrOnPlateau,
                          Augmentation augmentation, int preciseBatchNorm) {
    /**
     * Settings as given; {@link Builder#build()} checks the ranges. The class comment gives the defaults.
     *
     * @param epochs the last epoch to train
     * @param batchSize images per step
     * @param seed the seed of shuffles, dropout and augmentation
     * @param initialEpoch epochs already trained
     * @param validation data evaluated after each epoch, or null
     * @param callbacks called in order
     * @param history the history the run appends to
     * @param out where progress lines go
     * @param liveProgress whether the progress line is redrawn in place
     * @param schedule the learning rate over the run
     * @param reduceLrOnPlateau the plateau rule, or null
     * @param augmentation how training images are augmented
     * @param preciseBatchNorm batches for recomputing batch-norm statistics after each epoch, or 0
     */
    public FitSettings {
        if (epochs <= 0 || batchSize <= 0 || initialEpoch < 0 || preciseBatchNorm < 0) {
            throw new IllegalArgumentException("fit: expected epochs and batch size > 0, initial epoch and precise"
                    + " batch-norm batches >= 0. Received epochs=" + epochs + ", batch size=" + batchSize
                    + ", initial epoch=" + initialEpoch + ", precise batch norm=" + preciseBatchNorm);
        }
        if (history == null || out == null || schedule == null || augmentation == null || callbacks == null) {
            throw new IllegalArgumentException("fit: history, out, schedule, augmentation and callbacks may not be"
                    + " null (leave a setting out for its default)");
        }
        callbacks = List.copyOf(callbacks);
        if (reduceLrOnPlateau != null && validation == null
                && reduceLrOnPlateau.monitor().kerasName().startsWith("val_")) {
            throw new IllegalArgumentException("fit: ReduceLROnPlateau monitors " + reduceLrOnPlateau.monitor()
                    .kerasName() + " but there is no validation data; give validation data or monitor loss or accuracy");
        }
    }

    /**
     * A builder with every setting at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these settings, to change some.
     *
     * @return a builder holding these settings
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.epochs = epochs;
        b.batchSize = batchSize;
        b.seed = seed;
        b.initialEpoch = initialEpoch;
        b.validation = validation;
        b.callbacks.addAll(callbacks);
        b.history = history;
        b.out = out;
        b.liveProgress = liveProgress;
        b.schedule = schedule;
        b.reduceLrOnPlateau = reduceLrOnPlateau;
        b.augmentation = augmentation;
        b.preciseBatchNorm = preciseBatchNorm;
        return b;
    }

    /**
     * The first epoch this run trains (1 for a fresh run).
     *
     * @return {@code initialEpoch + 1}
     */
    public int firstEpoch() {
        return initialEpoch + 1;
    }

    /** Named settings for {@link FitSettings}; see there for each default. */
    public static final class Builder {
        private int epochs = 1;
        private int batchSize = 32;
        private long seed = 1;
        private int initialEpoch;
        private Dataset validation;
        private final List<Callback> callbacks = new ArrayList<>();
        private History history;
        private PrintStream out = System.out;
        private boolean liveProgress = System.console() != null;
        private LearningRateSchedule schedule = LearningRateSchedule.constant();
        private ReduceLROnPlateau reduceLrOnPlateau;
        private Augmentation augmentation = Augmentation.NONE;
        private int preciseBatchNorm;

        private Builder() {
        }

        /**
         * The last epoch to train (Keras' {@code epochs}: with an initial epoch k, epochs k+1 to this).
         *
         * @param n the last epoch, at least 1
         * @return this builder
         */
        public Builder epochs(int n) {
            this.epochs = n;
            return this;
        }

        /**
         * Images per training step (the last batch of an epoch may be smaller) and per validation batch.
         *
         * @param n images per batch, at least 1
         * @return this builder
         */
        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /**
         * The seed of the shuffle order, dropout masks and augmentation draws.
         *
         * @param s the seed
         * @return this builder
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * Epochs already trained (a resumed run), whose metrics the history holds.
         *
         * @param n epochs already trained, at least 0
         * @return this builder
         */
        public Builder initialEpoch(int n) {
            this.initialEpoch = n;
            return this;
        }

        /**
         * Continues the run {@link Learner#resume} loaded: its epochs as the initial epoch, its history.
         *
         * @param r what {@link Learner#resume} returned
         * @return this builder
         */
        public Builder resumeFrom(Learner.Resumed r) {
            this.initialEpoch = r.epoch();
            this.history = r.history();
            return this;
        }

        /**
         * Data evaluated after each epoch (val_loss, val_accuracy); null for none.
         *
         * @param d the validation data, or null
         * @return this builder
         */
        public Builder validation(Dataset d) {
            this.validation = d;
            return this;
        }

        /**
         * Adds callbacks, called in the order added.
         *
         * @param cs the callbacks
         * @return this builder
         */
        public Builder callbacks(Callback... cs) {
            callbacks.addAll(List.of(cs));
            return this;
        }

        /**
         * Adds callbacks, called in the order added.
         *
         * @param cs the callbacks
         * @return this builder
         */
        public Builder callbacks(List<? extends Callback> cs) {
            callbacks.addAll(cs);
            return this;
        }

        /**
         * The history the run appends to (a resumed run's, with its earlier epochs).
         *
         * @param h the history
         * @return this builder
         */
        public Builder history(History h) {
            this.history = h;
            return this;
        }

        /**
         * Where the progress lines go.
         *
         * @param o the stream
         * @return this builder
         */
        public Builder out(PrintStream o) {
            this.out = o;
            return this;
        }

        /**
         * Redraw the progress line in place (a terminal) rather than one line per epoch (a log).
         *
         * @param live true for a terminal, false for a log
         * @return this builder
         */
        public Builder liveProgress(boolean live) {
            this.liveProgress = live;
            return this;
        }

        /**
         * How the learning rate changes over the run ({@link LearningRateSchedule}).
         *
         * @param s the schedule
         * @return this builder
         */
        public Builder schedule(LearningRateSchedule s) {
            this.schedule = s;
            return this;
        }

        /**
         * Reduce the learning rate when the monitored metric stalls; null for never.
         *
         * @param r the rule, or null
         * @return this builder
         */
        public Builder reduceLrOnPlateau(ReduceLROnPlateau r) {
            this.reduceLrOnPlateau = r;
            return this;
        }

        /**
         * How training images are augmented ({@link Augmentation}; none by default).
         *
         * @param a the augmentation
         * @return this builder
         */
        public Builder augmentation(Augmentation a) {
            this.augmentation = a;
            return this;
        }

        /**
         * Recompute batch-norm statistics from this many training batches after each epoch; 0 for off.
         *
         * @param batches training batches, or 0
         * @return this builder
         */
        public Builder preciseBatchNorm(int batches) {
            this.preciseBatchNorm = batches;
            return this;
        }

        /**
         * The settings; a value out of range is an IllegalArgumentException naming it.
         *
         * @return the settings
         */
        public FitSettings build() {
            return new FitSettings(epochs, batchSize, seed, initialEpoch, validation, callbacks,
                    history != null ? history : new History(), out, liveProgress, schedule, reduceLrOnPlateau,
                    augmentation, preciseBatchNorm);
        }
    }
}
