package org.convnet4j.ops;

import java.util.List;

import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Concatenation along channels (axis 1) of inputs that agree on every other axis, as Inception joins
 * its paths; backward splits the gradient into the same channel ranges.
 *
 * @param inputs the inputs' shapes, in output order (copied)
 */
public record Concat(List<Shape> inputs) {
    /** The op's name in error messages. */
    public static final String OP = "concat";

    /**
     * A concatenation, checked.
     *
     * @param inputs at least one shape, all rank 2 or all rank 4, agreeing on every axis but 1
     * @throws IllegalArgumentException if they are missing or disagree
     */
    public Concat {
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException(OP + ": needs at least one input. Received " + inputs);
        }
        inputs = List.copyOf(inputs);
        Shape first = inputs.get(0);
        Checks.rank(OP, "inputs[0]", first, 2, 4);
        for (int i = 1; i < inputs.size(); i++) {
            Shape s = inputs.get(i);
            boolean ok = s.rank() == first.rank();
            for (int a = 0; ok && a < s.rank(); a++) {
                ok = a == 1 || s.dim(a) == first.dim(a);
            }
            if (!ok) {
                throw new IllegalArgumentException(OP + ": inputs must agree on every axis but channels. Received " + inputs);
            }
        }
    }

    /**
     * A concatenation of these shapes, in order.
     *
     * @param inputs the inputs' shapes
     * @return the op
     */
    public static Concat of(Shape... inputs) {
        return new Concat(List.of(inputs));
    }

    /**
     * Channel offset of input i in the output.
     *
     * @param i an input's index; {@code inputs().size()} gives the output's channel count
     * @return the sum of the channels of the inputs before i
     */
    public long offset(int i) {
        long c = 0;
        for (int k = 0; k < i; k++) {
            c += inputs.get(k).dim(1);
        }
        return c;
    }

    /**
     * Checks one tensor per input, each of its input's shape; {@code name} is the argument's name in errors.
     *
     * @param name "xs" or "dxs", for messages
     * @param ts the tensors, one per input, in order
     * @throws IllegalArgumentException if the count or a tensor does not fit
     */
    public void checkInputs(String name, List<Tensor> ts) {
        if (ts == null || ts.size() != inputs.size()) {
            throw new IllegalArgumentException(OP + ": expected " + inputs.size() + " tensors in " + name
                    + ". Received " + (ts == null ? "null" : ts.size()));
        }
        for (int i = 0; i < ts.size(); i++) {
            Checks.activation(OP, name + "[" + i + "]", ts.get(i), inputs.get(i));
        }
    }

    /**
     * The output's shape: the first input's, with the channels of all of them.
     *
     * @return N x (sum of C) [x H x W]
     */
    public Shape outputShape() {
        long[] d = inputs.get(0).dims();
        d[1] = offset(inputs.size());
        return Shape.of(d);
    }

    @Override
    public String toString() {
        return OP + "(inputs " + inputs + ")";
    }
}
