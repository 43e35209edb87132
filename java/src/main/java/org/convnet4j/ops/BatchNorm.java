package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * Batch normalization over axis 1 (channels of N x C x H x W, or features of N x C), with Keras'
 * semantics: in training, the batch mean and the biased batch variance normalize, and the moving
 * statistics follow {@code moving = moving * momentum + batch * (1 - momentum)}; in inference the
 * moving statistics normalize. Defaults as Keras: momentum 0.99, epsilon 0.001.
 *
 * @param input the input's shape, N x C x H x W or N x C
 * @param epsilon added to the variance before its square root
 * @param momentum the moving statistics' decay per training step
 */
public record BatchNorm(Shape input, float epsilon, float momentum) {
    /** The op's name in error messages. */
    public static final String OP = "batch_norm";
    /** Keras' default epsilon, 0.001. */
    public static final float KERAS_EPSILON = 1e-3f;
    /** Keras' default momentum, 0.99. */
    public static final float KERAS_MOMENTUM = 0.99f;

    /**
     * A batch normalization, checked.
     *
     * @param input the input's shape, rank 2 or 4
     * @param epsilon &gt; 0
     * @param momentum in [0, 1)
     * @throws IllegalArgumentException if any of these is out of range
     */
    public BatchNorm {
        Checks.rank(OP, "input", input, 2, 4);
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException(OP + ": epsilon must be > 0. Received epsilon=" + epsilon);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException(OP + ": momentum must be in [0, 1). Received momentum=" + momentum);
        }
    }

    /**
     * A batch normalization with Keras' epsilon and momentum.
     *
     * @param input the input's shape, rank 2 or 4
     * @return the op
     */
    public static BatchNorm of(Shape input) {
        return new BatchNorm(input, KERAS_EPSILON, KERAS_MOMENTUM);
    }

    /**
     * The number of channels normalized separately.
     *
     * @return C, axis 1 of the input
     */
    public int channels() {
        return input.intDim(1);
    }

    /**
     * Shape of gamma, beta, and the moving statistics.
     *
     * @return a vector of C values
     */
    public Shape paramShape() {
        return Shape.of(input.dim(1));
    }

    /**
     * Shape of the statistics saved by a training forward pass for the backward pass: row 0 the batch
     * mean, row 1 the batch (biased) variance. Pass it back unchanged.
     *
     * @return 2 x C
     */
    public Shape savedShape() {
        return Shape.of(2, input.dim(1));
    }

    /**
     * Elements reduced per channel.
     *
     * @return N x H x W (N for a rank-2 input)
     */
    public long reduction() {
        return input.size() / input.dim(1);
    }

    /**
     * Checks a forward's tensors; the residual only for the add+relu fusion (withResidual).
     *
     * @param x input, {@link #input()}, FP32 or BF16, NCHW or NHWC
     * @param residual the fusion's residual, the input's shape and distinct from y; ignored unless
     *        {@code withResidual}
     * @param withResidual whether the forward adds a residual
     * @param p the four parameters, each {@link #paramShape()}
     * @param y output, the input's shape
     * @throws IllegalArgumentException naming the argument that does not fit
     */
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

    /**
     * Checks what every backward reads and writes besides dy (and y, dresidual for the fusions).
     *
     * @param x the forward's input
     * @param p the four parameters
     * @param saved the saved statistics, {@link #savedShape()}, FP32
     * @param dx gradient of the input, the input's shape
     * @param dgamma gradient of gamma, {@link #paramShape()}, FP32
     * @param dbeta gradient of beta, {@link #paramShape()}, FP32
     * @throws IllegalArgumentException naming the argument that does not fit
     */
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
