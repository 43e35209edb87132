package org.convnet4j.train;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
import org.convnet4j.ops.Adam;
import org.convnet4j.ops.ClipByGlobalNorm;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.tensor.Tensor;

/**
 * Adam (Keras defaults; AdamW with a weight decay) or SGD with momentum over every trainable
 * parameter, with its state (Adam's moments, SGD's velocities) on the backend. The step counter is
 * the optimizer's iteration count, as Keras' {@code optimizer.iterations}, and is saved in checkpoints.
 *
 * <p>The learning rate of the next step is {@link #learningRate()}: the configured one until a
 * schedule sets another ({@link #learningRate(double)}; {@link Fit} does so before every step from its
 * {@link LearningRateSchedule} and {@link ReduceLROnPlateau}). With {@link #clipByGlobalNorm} each
 * step first rescales the gradients so that their global norm is at most the limit, as Keras'
 * {@code global_clipnorm}.
 */
public final class Optimizer implements AutoCloseable {
    private final Adam adam;
    private final SgdMomentum sgd;
    private double learningRate;
    private ClipByGlobalNorm clip;
    private double lastGradientNorm = Double.NaN;
    private final Model model;
    private final Backend backend;
    private final Tensor[] first;
    private final Tensor[] second;
    private long iterations;
    private LossScaler scaler;
    private long skippedSteps;

    private Optimizer(Model model, Backend backend, Adam adam, SgdMomentum sgd) {
        this.model = model;
        this.backend = backend;
        this.adam = adam;
        this.sgd = sgd;
        this.learningRate = adam != null ? adam.learningRate() : sgd.learningRate();
        this.first = new Tensor[model.params().size()];
        this.second = new Tensor[model.params().size()];
        for (ParamRef p : model.params()) {
            if (p.trainable()) {
                first[p.index()] = backend.allocate(p.spec().shape());
                backend.fill(first[p.index()], 0f);
                if (adam != null) {
                    second[p.index()] = backend.allocate(p.spec().shape());
                    backend.fill(second[p.index()], 0f);
                }
            }
        }
    }

    /**
     * Adam over the model's trainable parameters (as they are now: freeze layers first), with both
     * moments allocated on {@code backend} and zeroed.
     *
     * @param model the model
     * @param backend where the state lives, the weights' backend
     * @param config learning rate, betas, epsilon and weight decay
     * @return a new optimizer, owned by the caller, which closes it to free its state
     */
    public static Optimizer adam(Model model, Backend backend, Adam config) {
        return new Optimizer(model, backend, config, null);
    }

    /**
     * SGD with momentum over the model's trainable parameters (as they are now), with a zeroed
     * velocity per parameter on {@code backend}.
     *
     * @param model the model
     * @param backend where the state lives, the weights' backend
     * @param config learning rate and momentum
     * @return a new optimizer, owned by the caller, which closes it to free its state
     */
    public static Optimizer sgd(Model model, Backend backend, SgdMomentum config) {
        return new Optimizer(model, backend, null, config);
    }

    /**
     * Clips every step's gradients to global norm {@code maxNorm} (Keras' {@code global_clipnorm}; see
     * {@link ClipByGlobalNorm}); 0 turns clipping off. Returns this optimizer.
     *
     * @param maxNorm the largest global norm, finite and &gt; 0, or 0 for no clipping
     * @return this optimizer
     * @throws IllegalArgumentException if maxNorm is negative, NaN or infinite
     */
    public Optimizer clipByGlobalNorm(double maxNorm) {
        this.clip = maxNorm == 0 ? null : new ClipByGlobalNorm(maxNorm);
        return this;
    }

    /**
     * Unscales every step's gradients by {@code scaler}'s scale, and skips the steps whose gradients
     * are not all finite (see {@link LossScaler}); null turns loss scaling off. The loss gradient must
     * have been multiplied by {@link #lossScale()} ({@link Trainer} does so).
     *
     * @param scaler the loss scaler, or null
     * @return this optimizer
     */
    public Optimizer lossScaler(LossScaler scaler) {
        this.scaler = scaler;
        return this;
    }

    /**
     * The loss scaler, if any.
     *
     * @return the scaler, or null when the loss is not scaled
     */
    public LossScaler lossScaler() {
        return scaler;
    }

    /**
     * The factor the loss gradient of the next step must be multiplied by: the scaler's scale, or 1.
     *
     * @return the loss scale
     */
    public float lossScale() {
        return scaler == null ? 1f : scaler.scale();
    }

    /**
     * How many steps {@link #step} skipped for non-finite gradients since this optimizer was made.
     *
     * @return the count of skipped steps
     */
    public long skippedSteps() {
        return skippedSteps;
    }

    /**
     * The global norm limit of the gradients, or 0 when they are not clipped.
     *
     * @return the limit, or 0
     */
    public double clipNorm() {
        return clip == null ? 0 : clip.maxNorm();
    }

    /**
     * The global norm of the last step's gradients before clipping; NaN when clipping is off.
     *
     * @return the norm, or NaN before the first clipped step
     */
    public double lastGradientNorm() {
        return lastGradientNorm;
    }

    /**
     * The configured learning rate: Adam's or SGD's, before any schedule.
     *
     * @return the rate the optimizer was made with
     */
    public double baseLearningRate() {
        return adam != null ? adam.learningRate() : sgd.learningRate();
    }

    /**
     * The learning rate the next step takes.
     *
     * @return the rate last set, or the base rate
     */
    public double learningRate() {
        return learningRate;
    }

    /**
     * Sets the learning rate of the next steps (a schedule's); a finite value above 0.
     *
     * @param rate the new rate, finite and &gt; 0 also once rounded to float
     * @throws IllegalArgumentException otherwise
     */
    public void learningRate(double rate) {
        if (!(rate > 0) || Double.isInfinite(rate) || !((float) rate > 0)) {
            throw new IllegalArgumentException("Optimizer: expected a finite learning rate > 0 (and above float's"
                    + " smallest). Received " + rate);
        }
        this.learningRate = rate;
    }

    /**
     * Applies one update from the gradients (indexed like the model's params). With a
     * {@link #lossScaler loss scaler} the gradients are first divided by its scale; if any is then
     * infinite or NaN the update is skipped, the iteration count stays, the scaler backs off, and
     * this returns false.
     *
     * @param weights the weights to update
     * @param grads   their gradients (of the scaled loss, with a scaler); overwritten by the unscaled
     *                and clipped ones
     * @return true when the update was applied, false when it was skipped
     * @throws LossScaler.NonFiniteGradientException where the gradients overflow at the smallest scale
     */
    public boolean step(Weights weights, Tensor[] grads) {
        double sumOfSquares = Double.NaN;
        if (scaler != null) {
            List<Tensor> trainable = trainable(grads);
            // 1/scale is a power of two: exact, so the unscaled gradients are those of the unscaled loss
            backend.scale(trainable, 1f / scaler.scale());
            // summed in double, the squares of finite floats cannot overflow: non-finite iff some gradient is
            sumOfSquares = backend.sumOfSquares(trainable);
            if (!Double.isFinite(sumOfSquares)) {
                skippedSteps++;
                scaler.overflow();
                return false;
            }
        }
        iterations++;
        if (clip != null) {
            clip(grads, sumOfSquares);
        }
        if (adam != null) {
            // one call for all parameters: a backend may update them all in one launch
            List<Tensor> params = new ArrayList<>();
            List<Tensor> g = new ArrayList<>();
            List<Tensor> m = new ArrayList<>();
            List<Tensor> v = new ArrayList<>();
            for (ParamRef p : model.params()) {
                if (p.trainable()) {
                    int i = p.index();
                    params.add(weights.get(i));
                    g.add(grads[i]);
                    m.add(first[i]);
                    v.add(second[i]);
                }
            }
            backend.adamUpdateAll(adam.atRate((float) learningRate), iterations, params, g, m, v);
            succeeded();
            return true;
        }
        SgdMomentum now = (float) learningRate == sgd.learningRate() ? sgd
                : new SgdMomentum((float) learningRate, sgd.momentum());
        for (ParamRef p : model.params()) {
            if (p.trainable()) {
                int i = p.index();
                backend.sgdMomentumUpdate(now, weights.get(i), grads[i], first[i]);
            }
        }
        succeeded();
        return true;
    }

    private void succeeded() {
        if (scaler != null) {
            scaler.success();
        }
    }

    private List<Tensor> trainable(Tensor[] grads) {
        List<Tensor> trainable = new ArrayList<>();
        for (ParamRef p : model.params()) {
            if (p.trainable()) {
                trainable.add(grads[p.index()]);
            }
        }
        return trainable;
    }

    /** Clips the gradients; sumOfSquares is theirs when already known, NaN to compute it. */
    private void clip(Tensor[] grads, double sumOfSquares) {
        List<Tensor> trainable = trainable(grads);
        lastGradientNorm = Math.sqrt(Double.isNaN(sumOfSquares) ? backend.sumOfSquares(trainable) : sumOfSquares);
        double factor = clip.factor(lastGradientNorm);
        if (factor != 1) {
            backend.scale(trainable, (float) factor);
        }
    }

    /**
     * The steps taken, as Keras' {@code optimizer.iterations}; Adam's bias correction uses it.
     *
     * @return the number of {@link #step} calls (plus what {@link #iterations(long)} set)
     */
    public long iterations() {
        return iterations;
    }

    /**
     * Sets the step count, when resuming from a checkpoint.
     *
     * @param n the steps already taken
     */
    public void iterations(long n) {
        this.iterations = n;
    }

    /**
     * Adam's first moment or SGD's velocity of parameter i (null for non-trainable ones).
     *
     * @param i the parameter's index
     * @return the state tensor, owned by this optimizer, or null
     */
    public Tensor firstMoment(int i) {
        return first[i];
    }

    /**
     * Adam's second moment of parameter i (null for SGD and non-trainable ones).
     *
     * @param i the parameter's index
     * @return the state tensor, owned by this optimizer, or null
     */
    public Tensor secondMoment(int i) {
        return second[i];
    }

    /**
     * Whether this is Adam (or AdamW) rather than SGD.
     *
     * @return true for Adam
     */
    public boolean isAdam() {
        return adam != null;
    }

    /**
     * AdamW's decoupled weight decay; 0 for plain Adam and for SGD.
     *
     * @return the decay per unit of learning rate
     */
    public double weightDecay() {
        return adam != null ? adam.weightDecay() : 0;
    }

    /** Frees the optimizer's state tensors. */
    @Override
    public void close() {
        for (Tensor t : first) {
            if (t != null) {
                t.close();
            }
        }
        for (Tensor t : second) {
            if (t != null) {
                t.close();
            }
        }
    }
}
