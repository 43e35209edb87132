package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

/**
 * Adam as Keras computes it: {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)}, with t the 1-based step. Keras defaults.
 *
 * <p>With a {@code weightDecay} above 0 it is AdamW (Loshchilov and Hutter, "Decoupled Weight Decay
 * Regularization"), as Keras' {@code AdamW} and PyTorch's {@code torch.optim.AdamW} apply it: each
 * step first shrinks every parameter, {@code p -= lr * weightDecay * p}, then takes the Adam step
 * above. The decay is decoupled from the gradient, so it is not divided by {@code sqrt(v)} as an L2
 * term added to the loss would be. It applies to every trainable parameter, biases and batch-norm
 * scales included, as both libraries do by default.
 */
public record Adam(float learningRate, float beta1, float beta2, float epsilon, float weightDecay) {
    /** The op's name in messages. */
    public static final String OP = "adam";

    /**
     * Adam's settings, checked.
     *
     * @param learningRate the step size, &gt; 0
     * @param beta1 the first moment's decay, in [0, 1)
     * @param beta2 the second moment's decay, in [0, 1)
     * @param epsilon added to the second moment's root, &gt; 0
     * @param weightDecay AdamW's decoupled decay, 0 for plain Adam
     */
    public Adam {
        if (!(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)
                || !(weightDecay >= 0) || Float.isInfinite(learningRate) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException(OP + ": expected lr > 0, beta1 and beta2 in [0, 1), epsilon > 0, "
                    + "weight decay >= 0, all finite. Received lr=" + learningRate + ", beta1=" + beta1 + ", beta2="
                    + beta2 + ", epsilon=" + epsilon + ", weight decay=" + weightDecay);
        }
    }

    /**
     * Plain Adam (no weight decay).
     *
     * @param learningRate the step size
     * @param beta1 the first moment's decay
     * @param beta2 the second moment's decay
     * @param epsilon added to the second moment's root
     */
    public Adam(float learningRate, float beta1, float beta2, float epsilon) {
        this(learningRate, beta1, beta2, epsilon, 0f);
    }

    /**
     * Keras' defaults: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, no weight decay.
     *
     * @return the settings
     */
    public static Adam keras() {
        return new Adam(1e-3f, 0.9f, 0.999f, 1e-7f);
    }

    /**
     * Keras' defaults at learning rate {@code lr}.
     *
     * @param lr the learning rate
     * @return the settings
     */
    public static Adam withLearningRate(float lr) {
        return new Adam(lr, 0.9f, 0.999f, 1e-7f);
    }

    /**
     * The same optimizer with decoupled weight decay {@code wd} (AdamW; 0 is plain Adam).
     *
     * @param wd the decay per unit of learning rate, at least 0
     * @return the new settings
     */
    public Adam withWeightDecay(float wd) {
        return new Adam(learningRate, beta1, beta2, epsilon, wd);
    }

    /**
     * The same settings at learning rate {@code lr}: the rate of one step under a schedule.
     *
     * @param lr the learning rate
     * @return the new settings
     */
    public Adam atRate(float lr) {
        return lr == learningRate ? this : new Adam(lr, beta1, beta2, epsilon, weightDecay);
    }

    /**
     * The bias-corrected step size of step t (1-based).
     *
     * @param t the step, from 1
     * @return lr * sqrt(1 - beta2^t) / (1 - beta1^t)
     */
    public double stepSize(long t) {
        if (t < 1) {
            throw new IllegalArgumentException(OP + ": step must be >= 1. Received step=" + t);
        }
        return learningRate * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
    }

    /**
     * AdamW's per-step shrink factor {@code lr * weightDecay}, computed in double: 0 for plain Adam.
     *
     * @return the factor
     */
    public float decay() {
        return (float) ((double) learningRate * weightDecay);
    }

    /**
     * Checks one parameter's tensors: grad and the moments m, v shaped like param.
     *
     * @param param the parameter
     * @param grad its gradient
     * @param m its first moment
     * @param v its second moment
     */
    public static void checkTensors(Tensor param, Tensor grad, Tensor m, Tensor v) {
        if (param == null) {
            throw new IllegalArgumentException(OP + ": param is null");
        }
        Checks.tensor(OP, "param", param, param.shape());
        Checks.tensor(OP, "grad", grad, param.shape());
        Checks.tensor(OP, "m", m, param.shape());
        Checks.tensor(OP, "v", v, param.shape());
    }
}
