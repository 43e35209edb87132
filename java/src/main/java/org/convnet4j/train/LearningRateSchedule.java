package org.convnet4j.train;

/**
 * How the learning rate changes over a run, as a factor of the optimizer's configured rate: the
 * schedules Keras ({@code keras.optimizers.schedules}) and PyTorch ({@code torch.optim.lr_scheduler})
 * users reach for. A schedule is a pure function of where the run is ({@link Position}: the epoch,
 * the batch in it, the run's length), so a run resumed from a checkpoint takes exactly the rates an
 * uninterrupted one takes; {@link Fit} sets the rate before every step.
 *
 * <p>Each schedule has a text form, the {@code --lr-schedule} syntax of the command line, which
 * {@link #parse} reads and {@link #spec} writes: {@code constant}, {@code step:EPOCHS:FACTOR},
 * {@code exp:RATE}, {@code cosine:WARMUP_EPOCHS}.
 */
public sealed interface LearningRateSchedule {

    /**
     * Where a run is when a step is about to be taken: {@code epochsDone} complete epochs (0 in the
     * first), {@code batch} batches done in this one, {@code batchesPerEpoch} batches in each, and
     * {@code epochs} in the whole run.
     */
    record Position(int epochsDone, int batch, int batchesPerEpoch, int epochs) {
        /**
         * A position, checked.
         *
         * @param epochsDone complete epochs, at least 0
         * @param batch batches done in this epoch, below batchesPerEpoch
         * @param batchesPerEpoch batches per epoch, at least 1
         * @param epochs epochs in the run, at least 1
         */
        public Position {
            if (epochsDone < 0 || batch < 0 || batchesPerEpoch <= 0 || batch >= batchesPerEpoch || epochs <= 0) {
                throw new IllegalArgumentException("Position: expected epochsDone >= 0, 0 <= batch < batchesPerEpoch,"
                        + " epochs > 0. Received epochsDone=" + epochsDone + ", batch=" + batch + ", batchesPerEpoch="
                        + batchesPerEpoch + ", epochs=" + epochs);
            }
        }

        /**
         * The steps taken so far in the run: the index of the step about to be taken.
         *
         * @return epochsDone * batchesPerEpoch + batch
         */
        public long step() {
            return (long) epochsDone * batchesPerEpoch + batch;
        }

        /**
         * The steps in the whole run.
         *
         * @return epochs * batchesPerEpoch
         */
        public long steps() {
            return (long) epochs * batchesPerEpoch;
        }
    }

    /**
     * The factor of the configured learning rate for the step about to be taken at {@code p}.
     *
     * @param p where the run is
     * @return the factor, at most 1
     */
    double factor(Position p);

    /**
     * The text form, which {@link #parse} reads back to an equal schedule.
     *
     * @return e.g. "cosine:2"
     */
    String spec();

    /**
     * Whether the factors depend on the run's length ({@link Position#epochs}): then a resumed run
     * must keep its epoch count to continue the same schedule.
     *
     * @return true for the cosine, false otherwise
     */
    default boolean dependsOnRunLength() {
        return false;
    }

    /**
     * The configured rate throughout.
     *
     * @return the schedule
     */
    static LearningRateSchedule constant() {
        return new Constant();
    }

    /**
     * PyTorch's StepLR: the rate times {@code factor} after every {@code everyEpochs} epochs,
     * {@code factor ^ floor(epochsDone / everyEpochs)}.
     *
     * @param everyEpochs epochs between reductions, at least 1
     * @param factor the reduction, in (0, 1]
     * @return the schedule
     */
    static LearningRateSchedule step(int everyEpochs, double factor) {
        return new StepDecay(everyEpochs, factor);
    }

    /**
     * Keras' ExponentialDecay with one epoch as its decay steps (not staircased): the rate times
     * {@code rate ^ (epochs done, counted in fractions of an epoch)}, so it falls a little every step.
     *
     * @param rate the factor per epoch, in (0, 1]
     * @return the schedule
     */
    static LearningRateSchedule exponential(double rate) {
        return new ExponentialDecay(rate);
    }

    /**
     * Keras' CosineDecay with a linear warmup: over the first {@code warmupEpochs} epochs the rate rises
     * in equal steps to the configured one (step k of W takes {@code (k + 1) / W}), then follows half a
     * cosine down towards 0 at the end of the run: {@code 0.5 (1 + cos(pi (k - W) / (N - W)))} at step
     * k of N. 0 warmup epochs is the cosine alone.
     *
     * @param warmupEpochs epochs of warmup, at least 0
     * @return the schedule
     */
    static LearningRateSchedule cosine(int warmupEpochs) {
        return new CosineDecay(warmupEpochs);
    }

    /**
     * Reads the text form: {@code constant}, {@code step:EPOCHS:FACTOR}, {@code exp:RATE} or
     * {@code cosine:WARMUP_EPOCHS}; anything else is an IllegalArgumentException saying what is expected.
     *
     * @param spec the text form
     * @return the schedule
     */
    static LearningRateSchedule parse(String spec) {
        String[] f = spec.strip().split(":", -1);
        try {
            switch (f[0]) {
                case "constant":
                    if (f.length == 1) {
                        return constant();
                    }
                    break;
                case "step":
                    if (f.length == 3) {
                        return step(Integer.parseInt(f[1]), Double.parseDouble(f[2]));
                    }
                    break;
                case "exp":
                    if (f.length == 2) {
                        return exponential(Double.parseDouble(f[1]));
                    }
                    break;
                case "cosine":
                    if (f.length == 2) {
                        return cosine(Integer.parseInt(f[1]));
                    }
                    break;
                default:
                    break;
            }
        } catch (NumberFormatException e) {
            // reported below with the expected forms
        }
        throw new IllegalArgumentException("learning-rate schedule: expected constant, step:EPOCHS:FACTOR (e.g."
                + " step:10:0.5), exp:RATE (e.g. exp:0.95) or cosine:WARMUP_EPOCHS (e.g. cosine:2). Received '" + spec
                + "'");
    }

    /** See {@link #constant()}. */
    record Constant() implements LearningRateSchedule {
        @Override
        public double factor(Position p) {
            return 1;
        }

        @Override
        public String spec() {
            return "constant";
        }
    }

    /** See {@link #step(int, double)}. */
    record StepDecay(int everyEpochs, double factor) implements LearningRateSchedule {
        /**
         * See {@link LearningRateSchedule#step}.
         *
         * @param everyEpochs epochs between reductions
         * @param factor the reduction
         */
        public StepDecay {
            if (everyEpochs <= 0 || !(factor > 0) || factor > 1) {
                throw new IllegalArgumentException("step schedule: expected EPOCHS > 0 and FACTOR in (0, 1]. Received"
                        + " EPOCHS=" + everyEpochs + ", FACTOR=" + factor);
            }
        }

        @Override
        public double factor(Position p) {
            return Math.pow(factor, p.epochsDone() / everyEpochs);
        }

        @Override
        public String spec() {
            return "step:" + everyEpochs + ":" + factor;
        }
    }

    /** See {@link #exponential(double)}. */
    record ExponentialDecay(double rate) implements LearningRateSchedule {
        /**
         * See {@link LearningRateSchedule#exponential}.
         *
         * @param rate the factor per epoch
         */
        public ExponentialDecay {
            if (!(rate > 0) || rate > 1) {
                throw new IllegalArgumentException("exp schedule: expected RATE in (0, 1]. Received RATE=" + rate);
            }
        }

        @Override
        public double factor(Position p) {
            return Math.pow(rate, (double) p.step() / p.batchesPerEpoch());
        }

        @Override
        public String spec() {
            return "exp:" + rate;
        }
    }

    /** See {@link #cosine(int)}. */
    record CosineDecay(int warmupEpochs) implements LearningRateSchedule {
        /**
         * See {@link LearningRateSchedule#cosine}.
         *
         * @param warmupEpochs epochs of warmup
         */
        public CosineDecay {
            if (warmupEpochs < 0) {
                throw new IllegalArgumentException("cosine schedule: expected WARMUP_EPOCHS >= 0. Received "
                        + warmupEpochs);
            }
        }

        @Override
        public double factor(Position p) {
            long warmup = (long) warmupEpochs * p.batchesPerEpoch();
            long k = p.step();
            if (k < warmup) {
                return (double) (k + 1) / warmup;
            }
            return 0.5 * (1 + Math.cos(Math.PI * (k - warmup) / (p.steps() - warmup)));
        }

        @Override
        public String spec() {
            return "cosine:" + warmupEpochs;
        }

        @Override
        public boolean dependsOnRunLength() {
            return true;
        }
    }
}
