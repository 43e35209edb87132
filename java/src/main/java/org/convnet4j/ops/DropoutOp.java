package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * Inverted dropout: in training each element is kept with probability 1 - rate and scaled by
 * 1 / (1 - rate); in inference it is the identity. The mask is a pure function of (seed, step,
 * element index) through a counter-based generator (Philox-4x32-10), so the backward pass recomputes
 * it instead of storing it, and the CPU and GPU backends draw the same mask.
 */
public record DropoutOp(Shape input, float rate, long seed) {
    public static final String OP = "dropout";

    public DropoutOp {
        if (input == null) {
            throw new IllegalArgumentException(OP + ": input shape is required");
        }
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException(OP + ": rate must be in [0, 1). Received rate=" + rate);
        }
    }

    public Shape outputShape() {
        return input;
    }

    /** Checks a pass's input and output (forward: x, y; backward: dy, dx). */
    public void check(String inName, Tensor in, String outName, Tensor out) {
        Checks.activation(OP, inName, in, input);
        Checks.activation(OP, outName, out, input);
    }

    @Override
    public String toString() {
        return OP + "(input " + input + ", rate " + rate + ", seed " + seed + ")";
    }
}
