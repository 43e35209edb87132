package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/**
 * Inverted dropout: in training each element is kept with probability 1 - rate and scaled by
 * 1 / (1 - rate); in inference it is the identity. The mask is a pure function of (seed, step,
 * element index) through a counter-based generator (Philox-4x32-10), so the backward pass recomputes
 * it instead of storing it, and the CPU and GPU backends draw the same mask.
 *
 * @param input the input's shape, any rank
 * @param rate the probability that an element is dropped, in [0, 1)
 * @param seed the mask generator's seed
 */
public record DropoutOp(Shape input, float rate, long seed) {
    /** The op's name in error messages. */
    public static final String OP = "dropout";

    /**
     * A dropout, checked.
     *
     * @param input the input's shape, required
     * @param rate in [0, 1)
     * @param seed any value
     * @throws IllegalArgumentException if input is null or rate out of range
     */
    public DropoutOp {
        if (input == null) {
            throw new IllegalArgumentException(OP + ": input shape is required");
        }
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException(OP + ": rate must be in [0, 1). Received rate=" + rate);
        }
    }

    /**
     * The output's shape, the input's.
     *
     * @return {@link #input()}
     */
    public Shape outputShape() {
        return input;
    }

    /**
     * Checks a pass's input and output (forward: x, y; backward: dy, dx).
     *
     * @param inName the input's name in messages
     * @param in the input, of the op's shape
     * @param outName the output's name in messages
     * @param out the output, of the op's shape
     * @throws IllegalArgumentException if either does not fit
     */
    public void check(String inName, Tensor in, String outName, Tensor out) {
        Checks.activation(OP, inName, in, input);
        Checks.activation(OP, outName, out, input);
    }

    @Override
    public String toString() {
        return OP + "(input " + input + ", rate " + rate + ", seed " + seed + ")";
    }
}
