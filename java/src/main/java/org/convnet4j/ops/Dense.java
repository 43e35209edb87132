package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * A fully connected layer {@code y = x . W + b} over an N x in input. The kernel is in x units, as in
 * Keras, so weights need no transposition when compared with Keras.
 */
public record Dense(Shape input, int units, boolean bias) {
    public static final String OP = "dense";

    public Dense {
        Checks.rank(OP, "input", input, 2);
        Checks.positive(OP, "units", units);
    }

    public static Dense of(Shape input, int units) {
        return new Dense(input, units, true);
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
        Checks.tensor(OP, "x", x, input);
        Checks.tensor(OP, "w", w, weightShape());
        Checks.tensor(OP, "y", y, outputShape());
        if (bias) {
            Checks.tensor(OP, "bias", b, biasShape());
        } else if (b != null) {
            throw new IllegalArgumentException(OP + ": a bias was passed to a dense layer built without bias: " + this);
        }
        Checks.distinct(OP, "x", x, "y", y);
    }

    public void checkBackwardData(Tensor dy, Tensor w, Tensor dx) {
        Checks.tensor(OP, "dy", dy, outputShape());
        Checks.tensor(OP, "w", w, weightShape());
        Checks.tensor(OP, "dx", dx, input);
    }

    /** dbias may be null (no bias gradient wanted). */
    public void checkBackwardWeights(Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        Checks.tensor(OP, "x", x, input);
        Checks.tensor(OP, "dy", dy, outputShape());
        Checks.tensor(OP, "dw", dw, weightShape());
        if (dbias != null) {
            Checks.tensor(OP, "dbias", dbias, biasShape());
        }
    }

    @Override
    public String toString() {
        return OP + "(input " + input + ", units " + units + (bias ? ", bias" : ", no bias") + ")";
    }
}
