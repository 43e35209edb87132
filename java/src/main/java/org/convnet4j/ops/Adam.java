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
    public static final String OP = "adam";

    public Adam {
        if (!(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)
                || !(weightDecay >= 0) || Float.isInfinite(learningRate) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException(OP + ": expected lr > 0, beta1 and beta2 in [0, 1), epsilon > 0, "
                    + "weight decay >= 0, all finite. Received lr=" + learningRate + ", beta1=" + beta1 + ", beta2="
                    + beta2 + ", epsilon=" + epsilon + ", weight decay=" + weightDecay);
        }
    }

    /** Plain Adam (no weight decay). */
    public Adam(float learningRate, float beta1, float beta2, float epsilon) {
        this(learningRate, beta1, beta2, epsilon, 0f);
    }

    /** Keras' defaults: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, no weight decay. */
    public static Adam keras() {
        return new Adam(1e-3f, 0.9f, 0.999f, 1e-7f);
    }

    /** Keras' defaults at learning rate {@code lr}. */
    public static Adam withLearningRate(float lr) {
        return new Adam(lr, 0.9f, 0.999f, 1e-7f);
    }

    /** The same optimizer with decoupled weight decay {@code wd} (AdamW; 0 is plain Adam). */
    public Adam withWeightDecay(float wd) {
        return new Adam(learningRate, beta1, beta2, epsilon, wd);
    }

    /** The same settings at learning rate {@code lr}: the rate of one step under a schedule. */
    public Adam atRate(float lr) {
        return lr == learningRate ? this : new Adam(lr, beta1, beta2, epsilon, weightDecay);
    }

    /** The bias-corrected step size of step t (1-based). */
    public double stepSize(long t) {
        if (t < 1) {
            throw new IllegalArgumentException(OP + ": step must be >= 1. Received step=" + t);
        }
        return learningRate * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
    }

    /** AdamW's per-step shrink factor {@code lr * weightDecay}, computed in double: 0 for plain Adam. */
    public float decay() {
        return (float) ((double) learningRate * weightDecay);
    }

    /** Checks one parameter's tensors: grad and the moments m, v shaped like param. */
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
