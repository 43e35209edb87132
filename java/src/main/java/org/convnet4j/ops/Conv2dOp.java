package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * A 2-D convolution (cross-correlation, as Keras and cuDNN compute it) over an N x C x H x W input.
 * Kernel layout is filters x C x kh x kw (OIHW); the optional bias has one value per filter.
 * The record is also the cache key of the compiled primitive: shapes, kernel, stride and padding.
 *
 * @param input the input's shape, N x C x H x W
 * @param filters the number of output channels
 * @param kernel the kernel's height and width
 * @param stride the stride along H and W
 * @param padding how the input is padded (Keras' valid or same, or explicit pads)
 * @param bias whether a bias is added, one value per filter
 */
public record Conv2dOp(Shape input, int filters, Size2 kernel, Size2 stride, Padding padding, boolean bias) {
    /** The op's name in error messages. */
    public static final String OP = "conv2d";

    /**
     * A convolution, checked: the input is rank 4, filters positive, and the kernel fits the padded input.
     *
     * @param input the input's shape, N x C x H x W
     * @param filters the number of output channels, &gt; 0
     * @param kernel the kernel's height and width
     * @param stride the stride along H and W
     * @param padding how the input is padded
     * @param bias whether a bias is added
     * @throws IllegalArgumentException if any of these is missing or they do not make a non-empty output
     */
    public Conv2dOp {
        Checks.rank(OP, "input", input, 4);
        Checks.positive(OP, "filters", filters);
        if (kernel == null || stride == null || padding == null) {
            throw new IllegalArgumentException(OP + ": kernel, stride and padding are required. Received kernel="
                    + kernel + ", stride=" + stride + ", padding=" + padding);
        }
        Pads p = padding.resolve(input.dim(2), input.dim(3), kernel, stride);
        long oh = Padding.outputLength(input.dim(2), kernel.h(), stride.h(), p.top(), p.bottom());
        long ow = Padding.outputLength(input.dim(3), kernel.w(), stride.w(), p.left(), p.right());
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException(OP + ": kernel " + kernel + " does not fit input " + input
                    + " with " + padding + " padding (" + p + ")");
        }
    }

    /**
     * Keras' defaults: stride 1, valid padding, with bias.
     *
     * @param input the input's shape, N x C x H x W
     * @param filters the number of output channels
     * @param kernel the side of a square kernel
     * @return the op
     */
    public static Conv2dOp of(Shape input, int filters, int kernel) {
        return new Conv2dOp(input, filters, Size2.of(kernel), Size2.of(1), Padding.VALID, true);
    }

    /**
     * The same convolution with stride {@code s} along both axes.
     *
     * @param s the stride
     * @return a new op
     */
    public Conv2dOp withStride(int s) {
        return new Conv2dOp(input, filters, kernel, Size2.of(s), padding, bias);
    }

    /**
     * The same convolution with other padding.
     *
     * @param p the padding
     * @return a new op
     */
    public Conv2dOp withPadding(Padding p) {
        return new Conv2dOp(input, filters, kernel, stride, p, bias);
    }

    /**
     * The same convolution with or without a bias.
     *
     * @param b whether a bias is added
     * @return a new op
     */
    public Conv2dOp withBias(boolean b) {
        return new Conv2dOp(input, filters, kernel, stride, padding, b);
    }

    /**
     * The input's channel count.
     *
     * @return C of the N x C x H x W input
     */
    public int channels() {
        return input.intDim(1);
    }

    /**
     * The padding resolved to cells on each side for this input, kernel and stride.
     *
     * @return top, bottom, left and right pads
     */
    public Pads pads() {
        return padding.resolve(input.dim(2), input.dim(3), kernel, stride);
    }

    /**
     * The output's shape.
     *
     * @return N x filters x OH x OW
     */
    public Shape outputShape() {
        Pads p = pads();
        return Shape.nchw(input.dim(0), filters,
                Padding.outputLength(input.dim(2), kernel.h(), stride.h(), p.top(), p.bottom()),
                Padding.outputLength(input.dim(3), kernel.w(), stride.w(), p.left(), p.right()));
    }

    /**
     * The kernel's shape (OIHW).
     *
     * @return filters x C x kh x kw
     */
    public Shape weightShape() {
        return Shape.of(filters, input.dim(1), kernel.h(), kernel.w());
    }

    /**
     * The bias's shape (whether or not the op has one).
     *
     * @return a vector of {@code filters} values
     */
    public Shape biasShape() {
        return Shape.of(filters);
    }

    /**
     * Multiply-adds times two of one forward pass (the same count for each of the two backward passes).
     *
     * @return the floating-point operations of one forward pass
     */
    public double flops() {
        Shape y = outputShape();
        return 2.0 * y.size() * input.dim(1) * kernel.h() * kernel.w();
    }

    /**
     * Checks the forward's tensors (bias exactly when the op has one), before any native call.
     *
     * @param x input, {@link #input()}
     * @param w kernel, {@link #weightShape()}
     * @param b bias, {@link #biasShape()}, or null when the op has none
     * @param y output, {@link #outputShape()}
     * @throws IllegalArgumentException naming the argument, the expected and the received shape
     */
    public void checkForward(Tensor x, Tensor w, Tensor b, Tensor y) {
        shapes().checkForward(x, w, b, y);
    }

    /**
     * Checks the backward-data pass's tensors.
     *
     * @param dy gradient of the output, {@link #outputShape()}
     * @param w kernel, {@link #weightShape()}
     * @param dx gradient of the input, {@link #input()}
     * @throws IllegalArgumentException naming the argument, the expected and the received shape
     */
    public void checkBackwardData(Tensor dy, Tensor w, Tensor dx) {
        shapes().checkBackwardData(dy, w, dx);
    }

    /**
     * Checks the backward-filter pass's tensors; dbias may be null (no bias gradient wanted).
     *
     * @param x the forward's input
     * @param dy gradient of the output
     * @param dw kernel gradient, {@link #weightShape()}
     * @param dbias bias gradient, {@link #biasShape()}, or null
     * @throws IllegalArgumentException naming the argument, the expected and the received shape
     */
    public void checkBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        shapes().checkBackwardWeights(x, dy, dw, dbias);
    }

    private WeightedShapes shapes() {
        return new WeightedShapes(OP, "a convolution", this, input, weightShape(), outputShape(), biasShape(), bias);
    }

    @Override
    public String toString() {
        return OP + "(input " + input + ", filters " + filters + ", kernel " + kernel + ", stride " + stride
                + ", padding " + padding + (bias ? ", bias" : ", no bias") + ")";
    }
}
