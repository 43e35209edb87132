package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * Mean over H and W of an N x C x H x W input; the output is N x C, as Keras' GlobalAveragePooling2D.
 *
 * @param input the input's shape, N x C x H x W
 */
public record GlobalAvgPool(Shape input) {
    /** The op's name in error messages. */
    public static final String OP = "global_avg_pool";

    /**
     * A global average pooling, checked.
     *
     * @param input the input's shape, N x C x H x W
     * @throws IllegalArgumentException if the input is not rank 4
     */
    public GlobalAvgPool {
        Checks.rank(OP, "input", input, 4);
    }

    /**
     * The output's shape.
     *
     * @return N x C
     */
    public Shape outputShape() {
        return Shape.of(input.dim(0), input.dim(1));
    }

    /**
     * Checks the forward's tensors.
     *
     * @param x input, {@link #input()}
     * @param y output, {@link #outputShape()}
     * @throws IllegalArgumentException if either does not fit
     */
    public void checkForward(Tensor x, Tensor y) {
        Checks.activation(OP, "x", x, input);
        Checks.activation(OP, "y", y, outputShape());
    }

    /**
     * Checks the backward's tensors.
     *
     * @param dy gradient of the output, {@link #outputShape()}
     * @param dx gradient of the input, {@link #input()}
     * @throws IllegalArgumentException if either does not fit
     */
    public void checkBackward(Tensor dy, Tensor dx) {
        Checks.activation(OP, "dy", dy, outputShape());
        Checks.activation(OP, "dx", dx, input);
    }

    @Override
    public String toString() {
        return OP + "(input " + input + ")";
    }
}
