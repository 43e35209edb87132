package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * Keras' ZeroPadding2D: zeros around H and W of an N x C x H x W input; backward crops the gradient.
 *
 * @param input the input's shape, N x C x H x W
 * @param pads the zero cells added on each side
 */
public record ZeroPad2d(Shape input, Pads pads) {
    /** The op's name in error messages. */
    public static final String OP = "zero_pad2d";

    /**
     * A zero padding, checked.
     *
     * @param input the input's shape, rank 4
     * @param pads the pads, required
     * @throws IllegalArgumentException if the input is not rank 4 or pads is null
     */
    public ZeroPad2d {
        Checks.rank(OP, "input", input, 4);
        if (pads == null) {
            throw new IllegalArgumentException(OP + ": pads are required");
        }
    }

    /**
     * The same padding p on all four sides, as ZeroPadding2D(p).
     *
     * @param input the input's shape, N x C x H x W
     * @param p the cells added on each side
     * @return the op
     */
    public static ZeroPad2d of(Shape input, int p) {
        return new ZeroPad2d(input, new Pads(p, p, p, p));
    }

    /**
     * The output's shape.
     *
     * @return N x C x (H + top + bottom) x (W + left + right)
     */
    public Shape outputShape() {
        return Shape.nchw(input.dim(0), input.dim(1), input.dim(2) + pads.top() + pads.bottom(),
                input.dim(3) + pads.left() + pads.right());
    }

    /**
     * Checks the forward's tensors, which must not share storage.
     *
     * @param x input, {@link #input()}
     * @param y output, {@link #outputShape()}
     * @throws IllegalArgumentException if either does not fit or they alias
     */
    public void checkForward(Tensor x, Tensor y) {
        Checks.activation(OP, "x", x, input);
        Checks.activation(OP, "y", y, outputShape());
        Checks.distinct(OP, "x", x, "y", y);
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
        return OP + "(input " + input + ", " + pads + ")";
    }
}
