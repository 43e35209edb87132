package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * A fully connected layer {@code y = x . W + b} over an N x in input. The kernel is in x units, as in
 * Keras, so weights need no transposition when compared with Keras.
 *
 * @param input the input's shape, N x in
 * @param units the number of outputs per row
 * @param bias whether a bias is added, one value per unit
 */
public record DenseOp(Shape input, int units, boolean bias) {
    /** The op's name in error messages. */
    public static final String OP = "dense";

    /**
     * A dense layer, checked.
     *
     * @param input the input's shape, rank 2
     * @param units the number of outputs, &gt; 0
     * @param bias whether a bias is added
     * @throws IllegalArgumentException if the input is not rank 2 or units is not positive
     */
    public DenseOp {
        Checks.rank(OP, "input", input, 2);
        Checks.positive(OP, "units", units);
    }

    /**
     * A dense layer with a bias, as Keras' Dense(units).
     *
     * @param input the input's shape, N x in
     * @param units the number of outputs
     * @return the op
     */
    public static DenseOp of(Shape input, int units) {
        return new DenseOp(input, units, true);
    }

    /**
     * The number of input features.
     *
     * @return in, of the N x in input
     */
    public int inFeatures() {
        return input.intDim(1);
    }

    /**
     * The output's shape.
     *
     * @return N x units
     */
    public Shape outputShape() {
        return Shape.of(input.dim(0), units);
    }

    /**
     * The kernel's shape.
     *
     * @return in x units
     */
    public Shape weightShape() {
        return Shape.of(input.dim(1), units);
    }

    /**
     * The bias's shape (whether or not the op has one).
     *
     * @return a vector of {@code units} values
     */
    public Shape biasShape() {
        return Shape.of(units);
    }

    /**
     * Multiply-adds times two of one forward pass.
     *
     * @return {@code 2 * N * in * units}
     */
    public double flops() {
        return 2.0 * input.dim(0) * input.dim(1) * units;
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
     * Checks the backward-weights pass's tensors; dbias may be null (no bias gradient wanted).
     *
     * @param x the forward's input
     * @param dy gradient of the output
     * @param dw kernel gradient, {@link #weightShape()}
     * @param dbias bias gradient, {@link #biasShape()}, or null
     * @throws IllegalArgumentException naming the argument, the expected and the received shape
     */
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
