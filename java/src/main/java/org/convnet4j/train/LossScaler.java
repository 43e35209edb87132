package org.convnet4j.train;

/**
 * Dynamic loss scaling, with PyTorch's {@code torch.amp.GradScaler} rules: the loss gradient is
 * multiplied by {@link #scale()} before the backward pass, so that small gradients survive in IEEE
 * half precision; the optimizer divides the gradients by it again before clipping and the update.
 * When any gradient is infinite or NaN the update is skipped (and not counted as an iteration), the
 * scale is multiplied by the backoff factor and the count of good steps restarts; after
 * {@code growthInterval} good steps in a row the scale is multiplied by the growth factor.
 *
 * <p>The scale and every factor are powers of two, so scaling and unscaling are exact in binary
 * floating point (barring overflow and subnormals): FP32 training with a scaler gives the same bits
 * as without one. The scale stays within [{@link #MIN_SCALE}, {@link #MAX_SCALE}]: growth stops at
 * the top, and an overflow at the bottom means the run diverged
 * ({@link #overflow()} throws).
 *
 * <p>{@link org.convnet4j.graph.Precision#FP16} turns one on with the defaults ({@link #dynamic()}); any precision can
 * take one through {@link Optimizer#lossScaler(LossScaler)}. The scale and the good-step count are
 * saved in checkpoints with the optimizer state.
 */
public final class LossScaler {
    /** The smallest scale: 2^-24. A step whose gradients overflow even here throws. */
    public static final float MIN_SCALE = 0x1p-24f;
    /** The largest scale: 2^24; growth stops there. */
    public static final float MAX_SCALE = 0x1p24f;

    private final float growthFactor;
    private final float backoffFactor;
    private final int growthInterval;
    private final float initialScale;
    private float scale;
    private int goodSteps;

    /**
     * A scaler with the given rules.
     *
     * @param initialScale   the first scale: a power of two in [MIN_SCALE, MAX_SCALE]
     * @param growthFactor   what the scale is multiplied by after growthInterval good steps: a power of two above 1
     * @param backoffFactor  what the scale is multiplied by after an overflow: a power of two below 1
     * @param growthInterval good steps in a row before the scale grows: at least 1
     * @throws IllegalArgumentException where a value is out of range or not a power of two
     */
    public LossScaler(float initialScale, float growthFactor, float backoffFactor, int growthInterval) {
        requirePowerOfTwo("initialScale", initialScale);
        requirePowerOfTwo("growthFactor", growthFactor);
        requirePowerOfTwo("backoffFactor", backoffFactor);
        if (initialScale < MIN_SCALE || initialScale > MAX_SCALE) {
            throw new IllegalArgumentException("LossScaler: initialScale must be in [2^-24, 2^24]. Received "
                    + initialScale);
        }
        if (!(growthFactor > 1)) {
            throw new IllegalArgumentException("LossScaler: growthFactor must be above 1. Received " + growthFactor);
        }
        if (!(backoffFactor < 1)) {
            throw new IllegalArgumentException("LossScaler: backoffFactor must be below 1. Received " + backoffFactor);
        }
        if (growthInterval < 1) {
            throw new IllegalArgumentException("LossScaler: growthInterval must be at least 1. Received "
                    + growthInterval);
        }
        this.initialScale = initialScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
        this.scale = initialScale;
    }

    /**
     * PyTorch's defaults: initial scale 2^16, growth factor 2, backoff 0.5, growth interval 2000.
     *
     * @return a new scaler at 2^16
     */
    public static LossScaler dynamic() {
        return new LossScaler(0x1p16f, 2f, 0.5f, 2000);
    }

    private static void requirePowerOfTwo(String name, float v) {
        if (!(v > 0) || Float.isInfinite(v) || Math.getExponent(v) < Float.MIN_EXPONENT
                || Math.scalb(1f, Math.getExponent(v)) != v) {
            throw new IllegalArgumentException("LossScaler: " + name + " must be a finite power of two (so that"
                    + " scaling is exact). Received " + v);
        }
    }

    /**
     * The factor the loss gradient is multiplied by in the next step.
     *
     * @return the current scale, a power of two
     */
    public float scale() {
        return scale;
    }

    /**
     * Good steps in a row since the scale last changed (PyTorch's growth tracker).
     *
     * @return the count, below the growth interval
     */
    public int goodSteps() {
        return goodSteps;
    }

    /**
     * The scale this scaler started at.
     *
     * @return the initial scale
     */
    public float initialScale() {
        return initialScale;
    }

    /**
     * The number of good steps in a row after which the scale grows.
     *
     * @return the growth interval
     */
    public int growthInterval() {
        return growthInterval;
    }

    /**
     * Records a step whose gradients were all finite: counts it, and grows the scale after the
     * growth interval's worth in a row (not beyond MAX_SCALE).
     */
    public void success() {
        if (++goodSteps >= growthInterval) {
            goodSteps = 0;
            scale = Math.min(MAX_SCALE, scale * growthFactor);
        }
    }

    /**
     * Records a step with an infinite or NaN gradient (whose update was skipped): backs the scale
     * off and restarts the count of good steps.
     *
     * @throws NonFiniteGradientException where the scale is already at MIN_SCALE: the gradients are
     *         not finite however small the loss is scaled, so the run diverged
     */
    public void overflow() {
        if (scale <= MIN_SCALE) {
            throw new NonFiniteGradientException(scale);
        }
        goodSteps = 0;
        scale = Math.max(MIN_SCALE, scale * backoffFactor);
    }

    /**
     * Restores the state a checkpoint saved.
     *
     * @param scale     the scale: a power of two in [MIN_SCALE, MAX_SCALE]
     * @param goodSteps the good-step count: in [0, growth interval)
     * @throws IllegalArgumentException where either is out of range
     */
    public void restore(float scale, long goodSteps) {
        requirePowerOfTwo("scale", scale);
        if (scale < MIN_SCALE || scale > MAX_SCALE) {
            throw new IllegalArgumentException("LossScaler: scale must be in [2^-24, 2^24]. Received " + scale);
        }
        if (goodSteps < 0 || goodSteps >= growthInterval) {
            throw new IllegalArgumentException("LossScaler: goodSteps must be in [0, " + growthInterval
                    + "). Received " + goodSteps);
        }
        this.scale = scale;
        this.goodSteps = (int) goodSteps;
    }

    @Override
    public String toString() {
        return "LossScaler(scale " + scale + ", " + goodSteps + " of " + growthInterval + " good steps)";
    }

    /** The gradients stayed infinite or NaN at the smallest loss scale: the run diverged. */
    public static final class NonFiniteGradientException extends ArithmeticException {
        private static final long serialVersionUID = 1L;

        /**
         * An exception for an overflow at {@code scale}.
         *
         * @param scale the scale that still overflowed
         */
        public NonFiniteGradientException(float scale) {
            super("LossScaler: the gradients are infinite or NaN even at loss scale " + scale
                    + " (2^-24, the smallest): the training diverged");
        }
    }
}
