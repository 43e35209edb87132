package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * A fully connected layer {@code y = x . W + b} over an N x in input. The kernel is in x units, as in
 * Keras, so weights need no transposition when compared with Keras.
 */
public record DenseOp(Shape input, int units, boolean bias) {
    public static final String OP = "dense";

    public DenseOp {
        Checks.rank(OP, "input", input, 2);
        Checks.positive(OP, "units", units);
    }

    public static DenseOp of(Shape input, int units) {
        return new DenseOp(input, units, true);
    }

    public int inFeatures() {
        return input.intDim(1);
    }

    public Shape outputShape() {
        return Shape.of(input.dim(0), units);
    }

    public Shape weightShape() {
        return Shape.of(input.dim(1), units);
    }

    public Shape biasShape() {
        return Shape.of(units);
    }

    public double flops() {
        return 2.0 * input.dim(0) * input.dim(1) * units;
    }

    /** Checks the forward's tensors (bias exactly when the op has one), before any native call. */
    public void checkForward(Tensor x, Tensor w, Tensor b, Tensor y) {
        shapes().checkForward(x, w, b, y);
    }

    public void checkBackwardData(Tensor dy, Tensor w, Tensor dx) {
        shapes().checkBackwardData(dy, w, dx);
    }

    /** dbias may be null (no bias gradient wanted). */
    public void checkBackwardWeights(Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        shapes().checkBackwardWeights(x, dy, dw, dbias);
    }

    private WeightedShapes shapes() {
        return new WeightedShapes(OP, "a dense layer", this, input, weightShape(), outputShape(), biasShape(), bias);
    }

    @Override
    public String toString() {
        return OP + "(input " + input + ", units " + units + (bias ? ", bias" : ", no bias") + ")";
    }
}
