package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * Batch normalization over axis 1 (channels of N x C x H x W, or features of N x C), with Keras'
 * semantics: in training, the batch mean and the biased batch variance normalize, and the moving
 * statistics follow {@code moving = moving * momentum + batch * (1 - momentum)}; in inference the
 * moving statistics normalize. Defaults as Keras: momentum 0.99, epsilon 0.001.
 */
public record BatchNorm(Shape input, float epsilon, float momentum) {
    public static final String OP = "batch_norm";
    public static final float KERAS_EPSILON = 1e-3f;
    public static final float KERAS_MOMENTUM = 0.99f;

    public BatchNorm {
        Checks.rank(OP, "input", input, 2, 4);
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException(OP + ": epsilon must be > 0. Received epsilon=" + epsilon);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException(OP + ": momentum must be in [0, 1). Received momentum=" + momentum);
        }
    }

    public static BatchNorm of(Shape input) {
        return new BatchNorm(input, KERAS_EPSILON, KERAS_MOMENTUM);
    }

    public int channels() {
        return input.intDim(1);
    }

    /** Shape of gamma, beta, and the moving statistics. */
    public Shape paramShape() {
        return Shape.of(input.dim(1));
    }

    /**
     * Shape of the statistics saved by a training forward pass for the backward pass: row 0 the batch
     * mean, row 1 the batch (biased) variance. Pass it back unchanged.
     */
    public Shape savedShape() {
        return Shape.of(2, input.dim(1));
    }

    /** Elements reduced per channel. */
    public long reduction() {
        return input.size() / input.dim(1);
    }

    /** Checks a forward's tensors; the residual only for the add+relu fusion (withResidual). */
    public void checkForward(Tensor x, Tensor residual, boolean withResidual, BatchNormParams p, Tensor y) {
        if (p == null) {
            throw new IllegalArgumentException(OP + ": parameters are null for " + this);
        }
        Checks.activation(OP, "x", x, input);
        Checks.activation(OP, "y", y, input);
        p.check(this);
        if (withResidual) {
            Checks.activation(OP, "residual", residual, input);
            Checks.distinct(OP, "residual", residual, "y", y);
        }
    }

    /** Checks what every backward reads and writes besides dy (and y, dresidual for the fusions). */
    public void checkBackward(Tensor x, BatchNormParams p, Tensor saved, Tensor dx, Tensor dgamma, Tensor dbeta) {
        if (p == null) {
            throw new IllegalArgumentException(OP + ": parameters are null for " + this);
        }
        Checks.activation(OP, "x", x, input);
        Checks.tensor(OP, "saved", saved, savedShape());
        Checks.activation(OP, "dx", dx, input);
        Checks.tensor(OP, "dgamma", dgamma, paramShape());
        Checks.tensor(OP, "dbeta", dbeta, paramShape());
        p.check(this);
    }

    @Override
    public String toString() {
        return OP + "(input " + input + ", epsilon " + epsilon + ", momentum " + momentum + ")";
    }
}
