package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * Max or average pooling over an N x C x H x W input. With {@code same} padding the padded cells never
 * win a max and never count in an average (Keras semantics).
 *
 * @param input the input's shape, N x C x H x W
 * @param mode max or average
 * @param window the window's height and width
 * @param stride the stride along H and W
 * @param padding how the input is padded
 */
public record Pool2d(Shape input, PoolMode mode, Size2 window, Size2 stride, Padding padding) {
    /** The op's name in error messages. */
    public static final String OP = "pool2d";

    /**
     * A pooling, checked.
     *
     * @param input the input's shape, rank 4
     * @param mode max or average
     * @param window the window's height and width
     * @param stride the stride along H and W
     * @param padding how the input is padded; each side's pad must be smaller than the window
     * @throws IllegalArgumentException if an argument is missing, a pad is too large or the output
     *         would be empty
     */
    public Pool2d {
        Checks.rank(OP, "input", input, 4);
        if (mode == null || window == null || stride == null || padding == null) {
            throw new IllegalArgumentException(OP + ": mode, window, stride and padding are required");
        }
        Pads p = padding.resolve(input.dim(2), input.dim(3), window, stride);
        if (p.top() >= window.h() || p.bottom() >= window.h() || p.left() >= window.w() || p.right() >= window.w()) {
            throw new IllegalArgumentException(OP + ": padding " + p + " must be smaller than the window " + window);
        }
        long oh = Padding.outputLength(input.dim(2), window.h(), stride.h(), p.top(), p.bottom());
        long ow = Padding.outputLength(input.dim(3), window.w(), stride.w(), p.left(), p.right());
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException(OP + ": window " + window + " does not fit input " + input
                    + " with " + padding + " padding");
        }
    }

    /**
     * Keras' MaxPooling2D(pool): stride equal to the window, valid padding.
     *
     * @param input the input's shape, N x C x H x W
     * @param window the side of the square window
     * @return the op
     */
    public static Pool2d max(Shape input, int window) {
        return new Pool2d(input, PoolMode.MAX, Size2.of(window), Size2.of(window), Padding.VALID);
    }

    /**
     * Keras' AveragePooling2D(pool): stride equal to the window, valid padding.
     *
     * @param input the input's shape, N x C x H x W
     * @param window the side of the square window
     * @return the op
     */
    public static Pool2d average(Shape input, int window) {
        return new Pool2d(input, PoolMode.AVERAGE, Size2.of(window), Size2.of(window), Padding.VALID);
    }

    /**
     * The same pooling with stride {@code s} along both axes.
     *
     * @param s the stride
     * @return a new op
     */
    public Pool2d withStride(int s) {
        return new Pool2d(input, mode, window, Size2.of(s), padding);
    }

    /**
     * The same pooling with other padding.
     *
     * @param p the padding
     * @return a new op
     */
    public Pool2d withPadding(Padding p) {
        return new Pool2d(input, mode, window, stride, p);
    }

    /**
     * The padding resolved to cells on each side for this input, window and stride.
     *
     * @return top, bottom, left and right pads
     */
    public Pads pads() {
        return padding.resolve(input.dim(2), input.dim(3), window, stride);
    }

    /**
     * The output's shape.
     *
     * @return N x C x OH x OW
     */
    public Shape outputShape() {
        Pads p = pads();
        return Shape.nchw(input.dim(0), input.dim(1),
                Padding.outputLength(input.dim(2), window.h(), stride.h(), p.top(), p.bottom()),
                Padding.outputLength(input.dim(3), window.w(), stride.w(), p.left(), p.right()));
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
     * @param x the forward's input
     * @param y the forward's output
     * @param dy gradient of the output, {@link #outputShape()}
     * @param dx gradient of the input, {@link #input()}
     * @throws IllegalArgumentException if any does not fit
     */
    public void checkBackward(Tensor x, Tensor y, Tensor dy, Tensor dx) {
        checkForward(x, y);
        Checks.activation(OP, "dy", dy, outputShape());
        Checks.activation(OP, "dx", dx, input);
    }

    @Override
    public String toString() {
        return OP + "(" + mode + ", input " + input + ", window " + window + ", stride " + stride + ", padding " + padding + ")";
    }
}
