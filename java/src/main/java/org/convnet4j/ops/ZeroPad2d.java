package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/** Keras' ZeroPadding2D: zeros around H and W of an N x C x H x W input; backward crops the gradient. */
public record ZeroPad2d(Shape input, Pads pads) {
    public static final String OP = "zero_pad2d";

    public ZeroPad2d {
        Checks.rank(OP, "input", input, 4);
        if (pads == null) {
            throw new IllegalArgumentException(OP + ": pads are required");
        }
    }

    /** The same padding p on all four sides, as ZeroPadding2D(p). */
    public static ZeroPad2d of(Shape input, int p) {
        return new ZeroPad2d(input, new Pads(p, p, p, p));
    }

    public Shape outputShape() {
        return Shape.nchw(input.dim(0), input.dim(1), input.dim(2) + pads.top() + pads.bottom(),
                input.dim(3) + pads.left() + pads.right());
    }

    public void checkForward(Tensor x, Tensor y) {
        Checks.activation(OP, "x", x, input);
        Checks.activation(OP, "y", y, outputShape());
        Checks.distinct(OP, "x", x, "y", y);
    }

    public void checkBackward(Tensor dy, Tensor dx) {
        Checks.activation(OP, "dy", dy, outputShape());
        Checks.activation(OP, "dx", dx, input);
    }

    @Override
    public String toString() {
        return OP + "(input " + input + ", " + pads + ")";
    }
}
