package org.convnet4j.backend;

import org.convnet4j.ops.Checks;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Tensor;

/**
 * A dense layer frozen for inference, made by {@link Backend#freezeDense}: {@code y = relu?(x W +
 * bias)} in one call, x and y FP32 row-major (N x in, N x units). The weights are copied when it is
 * made, so a backend may keep them packed in the layout its matrix kernel reads, and in a narrower
 * type ({@link #weights}): at batch 1 a dense layer reads every weight once per call and little else,
 * so the bytes of the weights are its time. Later writes to the tensors it was made from are not seen.
 */
public abstract class FrozenDense implements AutoCloseable {
    /** What the weights are kept and multiplied in. */
    public enum Weights {
        /** FP32, packed. */
        FP32,
        /** BF16 (x rounded to BF16 on each call), products accumulated in FP32. */
        BF16,
        /**
         * Signed 8-bit with one scale per output unit, x quantized on each call with a calibrated
         * scale ({@link Backend#freezeDenseInt8}), products accumulated in 32-bit integers.
         */
        S8
    }

    private final DenseOp op;
    private final boolean relu;
    private final Weights weights;
    private final String label;

    /**
     * Checks w and bias (null exactly when the op has none) against the op's shapes.
     *
     * @param op the dense layer's op
     * @param w its weights, FP32 in x units
     * @param bias its bias, or null
     * @param relu whether a relu follows
     * @param weights the type the weights are kept and multiplied in
     * @throws IllegalArgumentException if a shape does not match or weights is null
     */
    protected FrozenDense(DenseOp op, Tensor w, Tensor bias, boolean relu, Weights weights) {
        if (op == null) {
            throw new IllegalArgumentException("freezeDense: op is null");
        }
        Checks.tensor("freezeDense " + op, "w", w, op.weightShape());
        if (op.bias()) {
            Checks.tensor("freezeDense " + op, "bias", bias, op.biasShape());
        } else if (bias != null) {
            throw new IllegalArgumentException("freezeDense " + op + ": the op has no bias but a bias tensor was given");
        }
        if (weights == null) {
            throw new IllegalArgumentException("freezeDense " + op + ": the weights' type is null");
        }
        this.op = op;
        this.relu = relu;
        this.weights = weights;
        this.label = "frozen dense " + op;
    }

    /**
     * The op it computes.
     *
     * @return the op
     */
    public final DenseOp op() {
        return op;
    }

    /**
     * Whether a relu follows the product and bias.
     *
     * @return true for relu
     */
    public final boolean relu() {
        return relu;
    }

    /**
     * The type the weights are kept and multiplied in.
     *
     * @return FP32, BF16 or S8
     */
    public final Weights weights() {
        return weights;
    }

    /**
     * The frozen type for weights kept in {@code type}.
     *
     * @param type FP32 or BF16
     * @return the matching {@link Weights}
     * @throws IllegalArgumentException for any other type
     */
    public static Weights weightsOf(DType type) {
        return switch (type) {
            case FP32 -> Weights.FP32;
            case BF16 -> Weights.BF16;
            default -> throw new IllegalArgumentException("freezeDense: weights are kept in FP32 or BF16. Received " + type);
        };
    }

    /**
     * Runs it: {@code y = relu?(x W + bias)}.
     *
     * @param x N x in, FP32 row-major
     * @param y N x units, FP32 row-major, not x
     */
    public abstract void forward(Tensor x, Tensor y);

    /** Frees the copied weights and the backend's handles. */
    @Override
    public abstract void close();

    /**
     * The checks of every call: x and y of the op's shapes, FP32 and plain, y not x.
     *
     * @param x the input
     * @param y the output
     */
    protected final void checkForward(Tensor x, Tensor y) {
        Checks.tensor(label, "x", x, op.input());
        Checks.tensor(label, "y", y, op.outputShape());
        if (x.address() == y.address()) {
            throw new IllegalArgumentException(label + ": y must not alias x");
        }
    }
}
