package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * A 2-D convolution (cross-correlation, as Keras and cuDNN compute it) over an N x C x H x W input.
 * Kernel layout is filters x C x kh x kw (OIHW); the optional bias has one value per filter.
 * The record is also the cache key of the compiled primitive: shapes, kernel, stride and padding.
 */
public record Conv2dOp(Shape input, int filters, Size2 kernel, Size2 stride, Padding padding, boolean bias) {
    public static final String OP = "conv2d";

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

    /** Keras' defaults: stride 1, valid padding, with bias. */
    public static Conv2dOp of(Shape input, int filters, int kernel) {
        return new Conv2dOp(input, filters, Size2.of(kernel), Size2.of(1), Padding.VALID, true);
    }

    public Conv2dOp withStride(int s) {
        return new Conv2dOp(input, filters, kernel, Size2.of(s), padding, bias);
    }

    public Conv2dOp withPadding(Padding p) {
        return new Conv2dOp(input, filters, kernel, stride, p, bias);
    }

    public Conv2dOp withBias(boolean b) {
        return new Conv2dOp(input, filters, kernel, stride, padding, b);
    }

    public int channels() {
        return input.intDim(1);
    }

    public Pads pads() {
        return padding.resolve(input.dim(2), input.dim(3), kernel, stride);
    }

    public Shape outputShape() {
        Pads p = pads();
        return Shape.nchw(input.dim(0), filters,
                Padding.outputLength(input.dim(2), kernel.h(), stride.h(), p.top(), p.bottom()),
                Padding.outputLength(input.dim(3), kernel.w(), stride.w(), p.left(), p.right()));
    }

    public Shape weightShape() {
        return Shape.of(filters, input.dim(1), kernel.h(), kernel.w());
    }

    public Shape biasShape() {
        return Shape.of(filters);
    }

    /** Multiply-adds times two of one forward pass (the same count for each of the two backward passes). */
    public double flops() {
        Shape y = outputShape();
        return 2.0 * y.size() * input.dim(1) * kernel.h() * kernel.w();
    }

    /** Checks the forward's tensors (bias exactly when the op has one), before any native call. */
    public void checkForward(Tensor x, Tensor w, Tensor b, Tensor y) {
        shapes().checkForward(x, w, b, y);
    }

    public void checkBackwardData(Tensor dy, Tensor w, Tensor dx) {
        shapes().checkBackwardData(dy, w, dx);
    }

    /** dbias may be null (no bias gradient wanted). */
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
