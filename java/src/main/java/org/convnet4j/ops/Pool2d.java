package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * Max or average pooling over an N x C x H x W input. With {@code same} padding the padded cells never
 * win a max and never count in an average (Keras semantics).
 */
public record Pool2d(Shape input, PoolMode mode, Size2 window, Size2 stride, Padding padding) {
    public static final String OP = "pool2d";

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

    /** Keras' MaxPooling2D(pool): stride equal to the window, valid padding. */
    public static Pool2d max(Shape input, int window) {
        return new Pool2d(input, PoolMode.MAX, Size2.of(window), Size2.of(window), Padding.VALID);
    }

    /** Keras' AveragePooling2D(pool): stride equal to the window, valid padding. */
    public static Pool2d average(Shape input, int window) {
        return new Pool2d(input, PoolMode.AVERAGE, Size2.of(window), Size2.of(window), Padding.VALID);
    }

    public Pool2d withStride(int s) {
        return new Pool2d(input, mode, window, Size2.of(s), padding);
    }

    public Pool2d withPadding(Padding p) {
        return new Pool2d(input, mode, window, stride, p);
    }

    public Pads pads() {
        return padding.resolve(input.dim(2), input.dim(3), window, stride);
    }

    public Shape outputShape() {
        Pads p = pads();
        return Shape.nchw(input.dim(0), input.dim(1),
                Padding.outputLength(input.dim(2), window.h(), stride.h(), p.top(), p.bottom()),
                Padding.outputLength(input.dim(3), window.w(), stride.w(), p.left(), p.right()));
    }

    public void checkForward(Tensor x, Tensor y) {
        Checks.activation(OP, "x", x, input);
        Checks.activation(OP, "y", y, outputShape());
    }

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
