package org.convnet4j.train;

import java.nio.file.Path;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.data.Batch;
import org.convnet4j.data.BatchLoader;
import org.convnet4j.data.Dataset;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.Weights;
import org.convnet4j.io.Checkpoint;
import org.convnet4j.ops.Adam;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.report.History;

/**
 * A model's fit, evaluate and predict behind one owner, the shape Keras' compiled model and DJL's
 * {@code Trainer} have: the builder names the settings, {@link #fit} takes the data and
 * {@link FitSettings}, and {@link #close} closes everything the learner opened (the trainer, the
 * optimizer's state, the weights, and the backend when the learner created it) in reverse order.
 *
 * <pre>{@code
 * try (Learner learner = Learner.builder(model).backend("auto").optimizer(Adam.keras()).seed(42).build()) {
 *     learner.fit(train, FitSettings.builder().epochs(20).batchSize(32).validation(test).build());
 *     Trainer.BatchResult test = learner.evaluate(test);
 * }
 * }</pre>
 */
public final class Learner implements AutoCloseable {
    /**
     * What {@link #resume} loaded: the epochs the checkpoint's run had trained and their history, to
     * continue with {@link FitSettings.Builder#resumeFrom}.
     *
     * @param epoch the epochs the checkpoint's run had completed
     * @param history their history
     * @param checkpoint the checkpoint as read
     */
    public record Resumed(int epoch, History history, Checkpoint checkpoint) {
    }

    private final Model model;
    private final Backend backend;
    private final boolean ownsBackend;
    private final Weights weights;
    private final Optimizer optimizer;
    private final Trainer trainer;

    private Learner(Builder b) {
        this.model = b.model;
        this.ownsBackend = b.backend == null;
        this.backend = ownsBackend ? Backends.create(b.backendName) : b.backend;
        Weights w = null;
        Optimizer o = null;
        try {
            w = new Weights(model, backend);
            w.initialize(b.seed);
            o = b.sgd != null ? Optimizer.sgd(model, backend, b.sgd) : Optimizer.adam(model, backend, b.adam);
            o.clipByGlobalNorm(b.clipNorm);
            this.trainer = new Trainer(model, backend, w, o, b.precision);
        } catch (RuntimeException | Error e) {
            closeAll(e, o, w, ownsBackend ? backend : null);
            throw e;
        }
        this.weights = w;
        this.optimizer = o;
    }

    /**
     * Settings for a learner of {@code model}; every one has a default (see {@link Builder}).
     *
     * @param model the model to train
     * @return a builder at the defaults
     */
    public static Builder builder(Model model) {
        return new Builder(model);
    }

    /**
     * Trains on {@code train} as {@code settings} say (see {@link Fit}).
     *
     * @param train the training images and labels
     * @param settings epochs, batch size, validation, callbacks and the rest
     * @return the history, whether a callback stopped the run, and the throughput
     */
    public Fit.Result fit(Dataset train, FitSettings settings) {
        return Fit.run(trainer, train, settings);
    }

    /**
     * Mean loss and accuracy over {@code data} in batches of 32, in inference mode.
     *
     * @param data the images and labels
     * @return the mean loss and the correct count
     */
    public Trainer.BatchResult evaluate(Dataset data) {
        return evaluate(data, 32);
    }

    /**
     * Mean loss and accuracy over {@code data} in batches of {@code batchSize}, in inference mode.
     *
     * @param data the images and labels
     * @param batchSize images per forward pass
     * @return the mean loss and the correct count
     */
    public Trainer.BatchResult evaluate(Dataset data, int batchSize) {
        return Fit.evaluate(trainer, data, batchSize);
    }

    /**
     * Class probabilities of {@code count} images (count x C x H x W in [0, 1]): count x classes.
     *
     * @param images count images, NCHW, scaled to [0, 1]
     * @param count how many
     * @return count rows of class probabilities
     */
    public float[] predict(float[] images, int count) {
        return trainer.predictBatch(images, count);
    }

    /**
     * Class probabilities of every image of {@code data}, in its order: size x classes.
     *
     * @param data the images (labels are ignored)
     * @param batchSize images per forward pass
     * @return data.size() rows of class probabilities
     */
    public float[] predict(Dataset data, int batchSize) {
        int k = model.classes();
        float[] out = new float[data.size() * k];
        int at = 0;
        try (BatchLoader loader = BatchLoader.inOrder(data, batchSize)) {
            for (Batch b : loader) {
                float[] p = trainer.predictBatch(b.images(), b.count());
                System.arraycopy(p, 0, out, at, b.count() * k);
                at += b.count() * k;
            }
        }
        return out;
    }

    /**
     * Loads a checkpoint's full training state (weights, optimizer moments, iteration count; see
     * {@link Checkpoints#loadTrainingState}) and returns its epoch and history: the history the file
     * carries, or for an older file the {@code history.csv} beside it.
     *
     * @param checkpoint a file ModelCheckpoint or {@code convnet4j train} wrote for this model
     * @return the epoch and history to pass to {@link FitSettings.Builder#resumeFrom}
     */
    public Resumed resume(Path checkpoint) {
        Checkpoint c = Checkpoints.loadTrainingState(checkpoint, trainer);
        History h = Checkpoints.history(c, checkpoint.resolveSibling("history.csv"));
        return new Resumed(Checkpoints.epoch(c), h, c);
    }

    /**
     * The model trained.
     *
     * @return the model
     */
    public Model model() {
        return model;
    }

    /**
     * The backend everything runs on (the learner's own, or the one given to the builder).
     *
     * @return the backend
     */
    public Backend backend() {
        return backend;
    }

    /**
     * The model's weights on the backend, as trained so far.
     *
     * @return the weights, owned by this learner
     */
    public Weights weights() {
        return weights;
    }

    /**
     * The optimizer: its state, iteration count, current learning rate and clipping.
     *
     * @return the optimizer, owned by this learner
     */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * The training step underneath, for callbacks and lower-level use.
     *
     * @return the trainer, owned by this learner
     */
    public Trainer trainer() {
        return trainer;
    }

    /** Closes the trainer, the optimizer, the weights and an owned backend, each even if another fails. */
    @Override
    public void close() {
        closeAll(null, trainer, optimizer, weights, ownsBackend ? backend : null);
    }

    private static void closeAll(Throwable first, AutoCloseable... resources) {
        Throwable failure = first;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception | Error e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (first == null && failure != null) {
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("Learner.close: " + failure, failure);
        }
    }

    /**
     * A learner's settings: {@code backend} "auto" (created and closed by the learner; or a backend
     * given, which the caller keeps and closes), {@code optimizer} Keras' Adam, no gradient clipping,
     * weights initialized from {@code seed} 1.
     */
    public static final class Builder {
        private final Model model;
        private String backendName = "auto";
        private Backend backend;
        private Adam adam = Adam.keras();
        private SgdMomentum sgd;
        private double clipNorm;
        private long seed = 1;
        private Precision precision = Precision.FP32;

        private Builder(Model model) {
            if (model == null) {
                throw new IllegalArgumentException("Learner: model is null");
            }
            this.model = model;
        }

        /**
         * The backend to create and own: "auto", "cpu" or "cuda" ({@link Backends#create}).
         *
         * @param name "auto", "cpu" or "cuda"
         * @return this builder
         */
        public Builder backend(String name) {
            this.backendName = name;
            this.backend = null;
            return this;
        }

        /**
         * A backend the caller made and keeps: the learner uses it and does not close it.
         *
         * @param b the caller's backend
         * @return this builder
         */
        public Builder backend(Backend b) {
            this.backend = b;
            return this;
        }

        /**
         * Adam, or AdamW with a weight decay ({@link Adam#withWeightDecay}).
         *
         * @param a the Adam settings, e.g. {@code Adam.keras()}
         * @return this builder
         */
        public Builder optimizer(Adam a) {
            this.adam = a;
            this.sgd = null;
            return this;
        }

        /**
         * SGD with momentum.
         *
         * @param s the SGD settings
         * @return this builder
         */
        public Builder optimizer(SgdMomentum s) {
            this.sgd = s;
            return this;
        }

        /**
         * Clip every step's gradients to this global norm (Keras' global_clipnorm); 0 for off.
         *
         * @param maxNorm the largest global norm a step applies, or 0
         * @return this builder
         */
        public Builder clipGlobalNorm(double maxNorm) {
            this.clipNorm = maxNorm;
            return this;
        }

        /**
         * The seed of the weights' initialization.
         *
         * @param s the seed
         * @return this builder
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * The mixed-precision policy of training, evaluation and prediction (default fp32; see
         * {@link Precision}); build() fails where the backend cannot compute in it.
         *
         * @param p the precision policy
         * @return this builder
         */
        public Builder precision(Precision p) {
            if (p == null) {
                throw new IllegalArgumentException("Learner: precision is null");
            }
            this.precision = p;
            return this;
        }

        /**
         * Opens the backend (unless one was given), allocates and initializes the weights and optimizer state.
         *
         * @return a learner the caller must close
         */
        public Learner build() {
            return new Learner(this);
        }
    }
}
