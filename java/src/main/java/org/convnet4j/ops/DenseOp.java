package org.convnet4j.ops;

import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * A fully connected layer {@code y = x . W + b} over an N x in input. The kernel is in x units, as in
 * Keras, so weights need no transposition when compared with Keras.
 *
 * <p>{@code compute} is the type the matrix product's inputs are rounded to: FP32, or BF16 under the
 * bf16 mixed-precision policy (x, W and the gradient flowing back rounded to bfloat16, every product
 * accumulated in FP32, y, dx and dW written in FP32; the tensors themselves stay FP32). The CPU
 * backend computes BF16 with oneDNN's bf16 matmul and refuses FP16; the CUDA backend computes every
 * dense layer in FP32 (a wider type than asked, so within any tolerance written for BF16).
 *
 * @param input the input's shape, N x in
 * @param units the number of outputs per row
 * @param bias whether a bias is added, one value per unit
 * @param compute the type the matmul's inputs are rounded to: FP32, BF16 or FP16
 */
public record DenseOp(Shape input, int units, boolean bias, DType compute) {
    /** The op's name in error messages. */
    public static final String OP = "dense";

    /**
     * The fewest rows (batch size) at which a bf16 policy's dense layer computes in BF16
     * ({@link #computeFor}). Below it the layer is bound by its FP32 weights' traffic, and rounding W
     * to BF16 on every pass costs more than the BF16 product saves: a training step's three passes of
     * a 2304 x 2048 layer took 4.40 ms in FP32 and 6.81 ms in BF16 at 32 rows, 12.8 and 11.8 ms at 128,
     * 48.7 and 36.1 ms at 512 ({@code DenseBenchmark}, AVX512_BF16 without AMX, docs/BENCHMARKS.md).
     */
    public static final long BF16_MIN_ROWS = 128;

    /**
     * The compute type of a dense layer of {@code rows} rows whose activations are {@code activations}:
     * BF16 under bf16 from {@link #BF16_MIN_ROWS} rows on, FP32 otherwise (fp16 plans too: CUDA
     * computes dense layers in FP32).
     *
     * @param activations the plan's image activation type (FP32, BF16 or FP16)
     * @param rows the batch size
     * @return BF16 or FP32
     */
    public static DType computeFor(DType activations, long rows) {
        return activations == DType.BF16 && rows >= BF16_MIN_ROWS ? DType.BF16 : DType.FP32;
    }

    /**
     * A dense layer, checked.
     *
     * @param input the input's shape, rank 2
     * @param units the number of outputs, &gt; 0
     * @param bias whether a bias is added
     * @param compute the type the matmul's inputs are rounded to
     * @throws IllegalArgumentException if the input is not rank 2, units is not positive or compute is
     *         not a floating-point type
     */
    public DenseOp {
        Checks.rank(OP, "input", input, 2);
        Checks.positive(OP, "units", units);
        if (compute != DType.FP32 && compute != DType.BF16 && compute != DType.FP16) {
            throw new IllegalArgumentException(OP + ": compute must be FP32, BF16 or FP16. Received " + compute);
        }
    }

    /**
     * A dense layer computed in FP32.
     *
     * @param input the input's shape, rank 2
     * @param units the number of outputs, &gt; 0
     * @param bias whether a bias is added
     * @throws IllegalArgumentException if the input is not rank 2 or units is not positive
     */
    public DenseOp(Shape input, int units, boolean bias) {
        this(input, units, bias, DType.FP32);
    }

    /**
     * This layer with its matmul inputs rounded to {@code type}.
     *
     * @param type FP32, BF16 or FP16
     * @return the op, equal to this one but for its compute type
     */
    public DenseOp withCompute(DType type) {
        return new DenseOp(input, units, bias, type);
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
        return OP + "(input " + input + ", units " + units + (bias ? ", bias" : ", no bias")
                + (compute == DType.FP32 ? "" : ", " + compute + " inputs") + ")";
    }
}
