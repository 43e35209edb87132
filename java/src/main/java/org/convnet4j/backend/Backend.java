package org.convnet4j.backend;

import java.util.List;

import org.convnet4j.graph.Precision;
import org.convnet4j.memory.MemoryLimit;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.Adam;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Concat;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.ops.DropoutOp;
import org.convnet4j.ops.GlobalAvgPool;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.ops.SoftmaxCrossEntropy;
import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * The closed set of primitives every backend implements, so that every graph runs on either. All
 * tensors are FP32, NCHW, allocated from this backend's {@link #pool()}; outputs are written, never
 * allocated, and must not alias inputs unless a method says so. Every method validates shapes in Java
 * (IllegalArgumentException naming the op and the shapes) before any native call, and every native
 * status becomes a {@link NativeException}.
 *
 * <p>Naming is the same at every layer: each group of methods below names the {@code *Ops} class that
 * implements it in {@code backend/cpu} and in {@code backend/cuda}, and the test that checks it on
 * both; {@code conv2dForward} is {@code ConvOps} in each backend, {@code ConvTest} in the suite and
 * {@code ConvBenchmark} in bench/.
 */
public interface Backend extends AutoCloseable {

    /**
     * This backend's name, as {@link Backends#create} takes it.
     *
     * @return "cpu" or "cuda"
     */
    String name();

    /**
     * The memory pool all of this backend's tensors come from (host memory on the CPU, device memory
     * on CUDA); owned by the backend and released by {@link #close}.
     *
     * @return the pool; never null
     */
    MemoryPool pool();

    // ---- Tensors and host transfers -------------------------------------------------------------

    /**
     * Allocates an FP32 NCHW tensor from {@link #pool()}; its contents are undefined until written.
     * The caller owns it and closes it.
     *
     * @param shape the tensor's shape
     * @return a new tensor
     */
    default Tensor allocate(Shape shape) {
        return Tensor.allocate(pool(), shape, DType.FP32);
    }

    /**
     * Allocates an NCHW tensor of element type {@code dtype} from {@link #pool()}; its contents are
     * undefined until written. The caller owns it and closes it.
     *
     * @param shape the tensor's shape
     * @param dtype its element type (INT32 for class-index labels, BF16 for mixed-precision activations)
     * @return a new tensor
     */
    default Tensor allocate(Shape shape, DType dtype) {
        return Tensor.allocate(pool(), shape, dtype);
    }

    /**
     * Allocates a tensor of element type {@code dtype} stored in {@code layout} from {@link #pool()};
     * its contents are undefined until written. The caller owns it and closes it.
     *
     * @param shape the tensor's logical (NCHW) shape
     * @param dtype its element type
     * @param layout its memory order (NHWC only for rank-4 shapes)
     * @return a new tensor
     */
    default Tensor allocate(Shape shape, DType dtype, Layout layout) {
        return Tensor.allocate(pool(), shape, dtype, layout);
    }

    /**
     * The memory order this backend keeps image activations in under {@code precision}, after
     * {@link #checkPrecision} accepted it: NCHW by default; the CPU keeps them channels-last, the order
     * its fastest convolutions read and write, so that no layer reorders them.
     *
     * @param precision the activations' precision
     * @return the layout image activations are allocated in
     */
    default Layout activationLayout(Precision precision) {
        return Layout.NCHW;
    }

    /**
     * Throws an {@link UnsupportedOperationException} naming what is missing where this backend cannot
     * compute in {@code precision} (FP32 always works).
     *
     * @param precision the precision a run asks for
     * @throws UnsupportedOperationException if this backend cannot compute in it (the default accepts
     *         FP32 only)
     */
    default void checkPrecision(Precision precision) {
        if (precision != Precision.FP32) {
            throw new UnsupportedOperationException("precision " + precision.option() + ": the " + name()
                    + " backend computes fp32 only");
        }
    }

    /**
     * How many more bytes {@link #pool()} may allocate, as the platform tells, for checking an estimate
     * before a run allocates: host memory by default ({@link MemoryLimit#host}); a GPU's free memory.
     *
     * @return the limit, with the source it was read from
     */
    default MemoryLimit memoryLimit() {
        return MemoryLimit.host();
    }

    /**
     * Copies FP32 host data in NCHW order into a tensor; a backend that keeps activations in other
     * formats converts into the tensor's (BF16 rounds to nearest even).
     *
     * @param src host values, NCHW order, exactly {@code dst.size()} of them
     * @param dst a live FP32 (or BF16) tensor of this backend
     * @throws IllegalArgumentException if the lengths or the element type do not match
     */
    void upload(float[] src, Tensor dst);

    /**
     * Copies INT32 host data (class-index labels) into an INT32 tensor.
     *
     * @param src host values, exactly {@code dst.size()} of them
     * @param dst a live INT32 tensor of this backend
     * @throws IllegalArgumentException if the lengths or the element type do not match
     */
    void upload(int[] src, Tensor dst);

    /**
     * Copies an FP32 tensor to the host in NCHW order; a backend that keeps activations in other
     * formats (the CPU: BF16, NHWC) converts them first, so any activation reads back the same way.
     * Waits for the work that writes {@code src}.
     *
     * @param src a live tensor of this backend
     * @param dst receives its values in NCHW order; exactly {@code src.size()} long
     * @throws IllegalArgumentException if the lengths do not match
     */
    void download(Tensor src, float[] dst);

    /**
     * Sets every element to {@code value}.
     *
     * @param t a live tensor of this backend
     * @param value the value, rounded to the tensor's element type
     */
    void fill(Tensor t, float value);

    /**
     * {@code dst = src}; same shape, element type and layout.
     *
     * @param src the tensor read
     * @param dst the tensor written, of src's shape, element type and layout
     * @throws IllegalArgumentException if the shapes or formats differ
     */
    void copy(Tensor src, Tensor dst);

    /**
     * {@code dst = src} where the two may be stored differently: same shape, each in its own element
     * type and memory order (BF16 NHWC features into the FP32 NCHW order a Flatten hands to DenseOp, and
     * back for the gradient). The default copies when the formats agree and refuses otherwise; a
     * backend that keeps activations in other formats overrides it.
     *
     * @param src the tensor read
     * @param dst the tensor written, of the same shape
     * @throws IllegalArgumentException if either is null, or the formats differ and this backend does
     *         not convert between them
     */
    default void convert(Tensor src, Tensor dst) {
        if (src == null || dst == null) {
            throw new IllegalArgumentException("convert: src and dst must not be null");
        }
        if (src.dtype() != dst.dtype() || src.layout() != dst.layout()) {
            throw new IllegalArgumentException("convert: the " + name() + " backend converts no formats. Received "
                    + src + " -> " + dst);
        }
        copy(src, dst);
    }

    /** Waits until all work queued on this backend has finished (a no-op on a synchronous CPU). */
    void synchronize();

    // ---- Convolution (ConvOps, ConvTest) ---------------------------------------------------------

    /**
     * {@code y = conv(x, w) + bias}; bias is null when {@code op.bias()} is false.
     *
     * @param op the convolution, with the shapes every tensor is checked against
     * @param x input, {@code op.input()} (N x C x H x W)
     * @param w kernel, {@code op.weightShape()} (filters x C x kh x kw)
     * @param bias one value per filter, or null
     * @param y output, {@code op.outputShape()}; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void conv2dForward(Conv2dOp op, Tensor x, Tensor w, Tensor bias, Tensor y);

    /**
     * {@code dx = conv_transpose(dy, w)}.
     *
     * @param op the convolution
     * @param dy gradient of the output, {@code op.outputShape()}
     * @param w kernel, {@code op.weightShape()}
     * @param dx gradient of the input, {@code op.input()}; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void conv2dBackwardData(Conv2dOp op, Tensor dy, Tensor w, Tensor dx);

    /**
     * {@code dw = corr(x, dy)} and, when dbias is not null, {@code dbias = sum of dy over N, H, W}.
     * Overwrites.
     *
     * @param op the convolution
     * @param x the forward's input, {@code op.input()}
     * @param dy gradient of the output, {@code op.outputShape()}
     * @param dw kernel gradient, {@code op.weightShape()}; overwritten
     * @param dbias bias gradient, {@code op.biasShape()}, or null for none
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void conv2dBackwardFilter(Conv2dOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias);

    /**
     * Fused {@code y = relu(conv(x, w) + bias)}; its backward is {@link #reluBackward} on y, then the
     * two above.
     *
     * @param op the convolution
     * @param x input, {@code op.input()}
     * @param w kernel, {@code op.weightShape()}
     * @param bias one value per filter, or null when the op has none
     * @param y output, {@code op.outputShape()}; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void conv2dBiasReluForward(Conv2dOp op, Tensor x, Tensor w, Tensor bias, Tensor y);

    /**
     * A convolution frozen for inference, {@code y = relu?(conv(x, w) + bias + residual?)}: w and bias
     * are copied now (see {@link FrozenConv}). The caller closes it. The default runs the unfused
     * primitives on private copies ({@link ComposedFrozenConv}); a backend overrides it to keep the
     * weights in its kernels' own layout and fuse the residual and relu into the convolution (the CPU
     * backend's {@code FrozenConvOps}). Tested by {@code FrozenConvTest}.
     *
     * @param op the convolution
     * @param w kernel, {@code op.weightShape()}, FP32 NCHW; copied, still owned by the caller
     * @param bias one value per filter (copied), or null exactly when the op has none
     * @param residual whether each call adds a residual of the output's shape before the relu
     * @param relu whether a relu follows
     * @return a new frozen convolution, owned by the caller
     * @throws IllegalArgumentException if w or bias do not fit the op
     */
    default FrozenConv freezeConv(Conv2dOp op, Tensor w, Tensor bias, boolean residual, boolean relu) {
        return new ComposedFrozenConv(this, op, w, bias, residual, relu);
    }

    /**
     * As above for activations in {@code precision}: FP32 is the method above; BF16 (a backend that
     * {@link #checkPrecision accepts} it) keeps the weights in BF16 in its kernel's layout and reads x
     * and the residual and writes y as BF16 in this backend's {@link #activationLayout}.
     *
     * @param op the convolution
     * @param w kernel, {@code op.weightShape()}, FP32 NCHW; copied, still owned by the caller
     * @param bias one value per filter (copied), or null exactly when the op has none
     * @param residual whether each call adds a residual of the output's shape before the relu
     * @param relu whether a relu follows
     * @param precision the activations' precision
     * @return a new frozen convolution, owned by the caller
     * @throws UnsupportedOperationException if this backend cannot freeze in {@code precision} (the
     *         default freezes FP32 only)
     * @throws IllegalArgumentException if w or bias do not fit the op
     */
    default FrozenConv freezeConv(Conv2dOp op, Tensor w, Tensor bias, boolean residual, boolean relu, Precision precision) {
        if (precision == Precision.FP32) {
            return freezeConv(op, w, bias, residual, relu);
        }
        checkPrecision(precision);
        throw new UnsupportedOperationException("freezeConv: the " + name() + " backend freezes fp32 only");
    }

    /**
     * A dense layer frozen for inference, {@code y = relu?(x W + bias)}: w and bias are copied now (see
     * {@link FrozenDense}), with the weights kept in {@code weights} (FP32 or BF16). The caller closes
     * it. The default runs {@link #denseForward} on private FP32 copies and refuses BF16; the CPU
     * backend packs the weights once into its matrix kernel's layout.
     *
     * @param op the dense layer
     * @param w its weights, FP32 in x units, copied
     * @param bias its bias (null exactly when the op has none), copied
     * @param relu whether a relu follows
     * @param weights FP32 or BF16
     * @return the frozen layer
     * @throws UnsupportedOperationException where the backend cannot keep weights in that type
     */
    default FrozenDense freezeDense(DenseOp op, Tensor w, Tensor bias, boolean relu, DType weights) {
        if (FrozenDense.weightsOf(weights) != FrozenDense.Weights.FP32) {
            throw new UnsupportedOperationException("freezeDense: the " + name() + " backend freezes fp32 dense layers only");
        }
        return new ComposedFrozenDense(this, op, w, bias, relu);
    }

    /**
     * As {@link #freezeDense}, computed in 8-bit integers: x quantized on each call with the scale of
     * {@code input} (u8 or s8, see {@link Int8Range}), the weights once, here, to s8 with one scale per
     * output unit ({@code max |w|} of its column over 127), products accumulated in 32-bit integers and
     * scaled back to FP32 before the bias and the relu. The default refuses.
     *
     * @param op the dense layer
     * @param w its weights, FP32 in x units, copied
     * @param bias its bias (null exactly when the op has none), copied
     * @param relu whether a relu follows
     * @param input the range of x on calibration images
     * @return the frozen layer; the caller closes it
     * @throws UnsupportedOperationException where the backend has no int8 matrix products
     */
    default FrozenDense freezeDenseInt8(DenseOp op, Tensor w, Tensor bias, boolean relu, Int8Range input) {
        throw new UnsupportedOperationException("int8: the " + name() + " backend has no int8 matrix products; use fp32 or bf16");
    }

    /**
     * As {@link #freezeConv(Conv2dOp, Tensor, Tensor, boolean, boolean)}, computed in 8-bit integers:
     * x quantized on each call with the scale of {@code input} (u8 or s8, see {@link Int8Range}), the
     * weights once, here, to s8 with one scale per output channel ({@code max |w|} of the channel over
     * 127), products accumulated in 32-bit integers and scaled back to FP32 before the bias, the
     * residual and the relu. x, the residual and y are FP32, in NCHW or NHWC. Values of x outside the
     * range saturate, and a NaN becomes the range's low end: 8-bit integers have no NaN (a
     * {@code Predictor} refuses non-finite images before they get here). The default refuses: a
     * backend without int8 convolutions throws an UnsupportedOperationException naming itself.
     *
     * @param op the convolution
     * @param w its weights, FP32 OIHW, copied
     * @param bias its bias (null exactly when the op has none), copied
     * @param residual whether a residual is added before the relu
     * @param relu whether a relu follows
     * @param input the range of x on calibration images
     * @return the frozen convolution; the caller closes it
     */
    default FrozenConv freezeConvInt8(Conv2dOp op, Tensor w, Tensor bias, boolean residual, boolean relu, Int8Range input) {
        throw new UnsupportedOperationException("int8: the " + name() + " backend has no int8 convolutions; use fp32 or bf16");
    }

    // ---- Pooling (PoolOps, PoolTest, GlobalAvgPoolTest) ------------------------------------------

    /**
     * Max or average pooling over each window, as {@code op.mode()} says.
     *
     * @param op the pooling, with its shapes
     * @param x input, {@code op.input()}
     * @param y output, {@code op.outputShape()}; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void pool2dForward(Pool2d op, Tensor x, Tensor y);

    /**
     * {@code dx} from {@code dy}; x and y are the forward's input and output (max pooling needs them).
     *
     * @param op the pooling
     * @param x the forward's input, {@code op.input()}
     * @param y the forward's output, {@code op.outputShape()}
     * @param dy gradient of the output
     * @param dx gradient of the input; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void pool2dBackward(Pool2d op, Tensor x, Tensor y, Tensor dy, Tensor dx);

    /**
     * N x C x H x W to N x C means.
     *
     * @param op the pooling, with its shapes
     * @param x input, {@code op.input()}
     * @param y output, N x C; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void globalAvgPoolForward(GlobalAvgPool op, Tensor x, Tensor y);

    /**
     * Spreads each mean's gradient evenly over its H x W inputs: {@code dx = dy / (H * W)}.
     *
     * @param op the pooling
     * @param dy gradient of the output, N x C
     * @param dx gradient of the input, {@code op.input()}; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void globalAvgPoolBackward(GlobalAvgPool op, Tensor dy, Tensor dx);

    // ---- Batch normalization (BatchNormOps, BatchNormTest) ---------------------------------------

    /**
     * Training forward: normalizes with batch statistics, writes them to {@code saved} (see
     * {@link BatchNorm#savedShape()}) and updates the moving statistics in {@code p}.
     *
     * @param op the batch normalization, with its shapes
     * @param x input, {@code op.input()}
     * @param p gamma, beta and the moving mean and variance; the moving statistics are updated in place
     * @param y output, x's shape; overwritten
     * @param saved receives the batch statistics the backward reads, {@code op.savedShape()}
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void batchNormForwardTraining(BatchNorm op, Tensor x, BatchNormParams p, Tensor y, Tensor saved);

    /**
     * Inference forward with the moving statistics.
     *
     * @param op the batch normalization
     * @param x input, {@code op.input()}
     * @param p gamma, beta and the moving statistics; only read
     * @param y output, x's shape; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void batchNormForwardInference(BatchNorm op, Tensor x, BatchNormParams p, Tensor y);

    /**
     * {@code dx}, {@code dgamma}, {@code dbeta} (overwritten) from dy and the forward's x and saved
     * statistics.
     *
     * @param op the batch normalization
     * @param x the forward's input
     * @param dy gradient of the output
     * @param p the parameters (gamma is read)
     * @param saved the statistics the training forward saved
     * @param dx gradient of the input; overwritten
     * @param dgamma gradient of gamma, one per channel; overwritten
     * @param dbeta gradient of beta, one per channel; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void batchNormBackward(BatchNorm op, Tensor x, Tensor dy, BatchNormParams p, Tensor saved,
                           Tensor dx, Tensor dgamma, Tensor dbeta);

    /**
     * Fused {@code y = relu(bn(x))}, training.
     *
     * @param op the batch normalization
     * @param x input, {@code op.input()}
     * @param p the parameters; the moving statistics are updated in place
     * @param y output, x's shape; overwritten
     * @param saved receives the batch statistics, {@code op.savedShape()}
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void batchNormReluForwardTraining(BatchNorm op, Tensor x, BatchNormParams p, Tensor y, Tensor saved);

    /**
     * Fused {@code y = relu(bn(x))}, inference.
     *
     * @param op the batch normalization
     * @param x input, {@code op.input()}
     * @param p the parameters; only read
     * @param y output, x's shape; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void batchNormReluForwardInference(BatchNorm op, Tensor x, BatchNormParams p, Tensor y);

    /**
     * Backward of {@code y = relu(bn(x))} given its output y: masks dy by {@code y > 0}, then bn
     * backward.
     *
     * @param op the batch normalization
     * @param x the forward's input
     * @param y the forward's output
     * @param dy gradient of the output
     * @param p the parameters (gamma is read)
     * @param saved the statistics the training forward saved
     * @param dx gradient of the input; overwritten
     * @param dgamma gradient of gamma; overwritten
     * @param dbeta gradient of beta; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void batchNormReluBackward(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                               Tensor dx, Tensor dgamma, Tensor dbeta);

    /**
     * Fused {@code y = relu(bn(x) + residual)}, training (ResNet's block tail).
     *
     * @param op the batch normalization
     * @param x input, {@code op.input()}
     * @param residual added after normalization, x's shape
     * @param p the parameters; the moving statistics are updated in place
     * @param y output, x's shape; overwritten
     * @param saved receives the batch statistics, {@code op.savedShape()}
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void batchNormAddReluForwardTraining(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p,
                                         Tensor y, Tensor saved);

    /**
     * Fused {@code y = relu(bn(x) + residual)}, inference.
     *
     * @param op the batch normalization
     * @param x input, {@code op.input()}
     * @param residual added after normalization, x's shape
     * @param p the parameters; only read
     * @param y output, x's shape; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void batchNormAddReluForwardInference(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p, Tensor y);

    /**
     * Backward of {@code y = relu(bn(x) + residual)}: the residual's gradient is {@code dy * (y > 0)},
     * written to dresidual, and the bn backward takes the same masked gradient.
     *
     * @param op the batch normalization
     * @param x the forward's input
     * @param y the forward's output
     * @param dy gradient of the output
     * @param p the parameters (gamma is read)
     * @param saved the statistics the training forward saved
     * @param dx gradient of x; overwritten
     * @param dresidual gradient of the residual; overwritten
     * @param dgamma gradient of gamma; overwritten
     * @param dbeta gradient of beta; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void batchNormAddReluBackward(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                                  Tensor dx, Tensor dresidual, Tensor dgamma, Tensor dbeta);

    // ---- Activations (ElementwiseOps, ReluTest) --------------------------------------------------

    /**
     * {@code y = max(x, 0)}; y may be x (in place).
     *
     * @param x input, any shape
     * @param y output, x's shape; overwritten
     * @throws IllegalArgumentException if the shapes or formats differ
     */
    void reluForward(Tensor x, Tensor y);

    /**
     * {@code dx = dy * (y > 0)} from the forward's output; dx may be dy (in place).
     *
     * @param y the forward's output
     * @param dy gradient of the output, y's shape
     * @param dx gradient of the input, y's shape; overwritten
     * @throws IllegalArgumentException if the shapes or formats differ
     */
    void reluBackward(Tensor y, Tensor dy, Tensor dx);

    // ---- Loss (SoftmaxCrossEntropyOps, SoftmaxCrossEntropyTest) ----------------------------------

    /**
     * Softmax plus cross-entropy, forward and backward in one pass: writes the probabilities and
     * {@code dlogits = weight * (probs - onehot) / N}, and returns {@code weight * mean loss}.
     * Labels are N x K FP32 one-hot or N INT32 class indices, as {@code op.sparse()} says.
     *
     * @param op the loss, with the N x K logits shape
     * @param logits N x K scores
     * @param labels N x K one-hot FP32, or N INT32 class indices
     * @param weight the loss's scale (1 for a plain loss)
     * @param probs receives the N x K softmax probabilities
     * @param dlogits receives the gradient of the returned loss, N x K
     * @return {@code weight} times the mean cross-entropy over the batch; waits for the computation
     * @throws IllegalArgumentException if a tensor's shape or type does not fit the op
     */
    float softmaxCrossEntropy(SoftmaxCrossEntropy op, Tensor logits, Tensor labels, float weight,
                              Tensor probs, Tensor dlogits);

    // ---- DenseOp (DenseOps, DenseTest) -------------------------------------------------------------

    /**
     * {@code y = x . w + bias}; bias null when {@code op.bias()} is false.
     *
     * @param op the dense layer, with its shapes
     * @param x input, N x inputs
     * @param w weights, inputs x units
     * @param bias one value per unit, or null
     * @param y output, N x units; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void denseForward(DenseOp op, Tensor x, Tensor w, Tensor bias, Tensor y);

    /**
     * {@code dx = dy . w^T}.
     *
     * @param op the dense layer
     * @param dy gradient of the output, N x units
     * @param w weights, inputs x units
     * @param dx gradient of the input, N x inputs; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void denseBackwardData(DenseOp op, Tensor dy, Tensor w, Tensor dx);

    /**
     * {@code dw = x^T . dy} and, when dbias is not null, {@code dbias = sum of dy over N}. Overwrites.
     *
     * @param op the dense layer
     * @param x the forward's input, N x inputs
     * @param dy gradient of the output, N x units
     * @param dw weight gradient, inputs x units; overwritten
     * @param dbias bias gradient, one per unit, or null for none
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void denseBackwardWeights(DenseOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias);

    // ---- Elementwise (ElementwiseOps, ElementwiseTest) -------------------------------------------

    /**
     * {@code y = a + b}; same shapes; y may be a or b. Its backward passes dy to both inputs.
     *
     * @param a first operand
     * @param b second operand, a's shape
     * @param y the sum, a's shape; overwritten
     * @throws IllegalArgumentException if the shapes or formats differ
     */
    void add(Tensor a, Tensor b, Tensor y);

    /**
     * {@code dst += src}: gradient accumulation where a node's output fans out.
     *
     * @param src the gradient added
     * @param dst the running sum, src's shape; updated in place
     * @throws IllegalArgumentException if the shapes or formats differ
     */
    void accumulate(Tensor src, Tensor dst);

    // ---- Concat (ConcatOps, ConcatTest) ----------------------------------------------------------

    /**
     * Concatenates the inputs along the channel axis, in list order.
     *
     * @param op the concatenation, with its input shapes
     * @param xs the inputs, one per {@code op.inputs()} entry
     * @param y output, {@code op.outputShape()}; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void concatForward(Concat op, List<Tensor> xs, Tensor y);

    /**
     * Splits dy into the inputs' channel ranges.
     *
     * @param op the concatenation
     * @param dy gradient of the output
     * @param dxs gradients of the inputs, in the forward's order; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void concatBackward(Concat op, Tensor dy, List<Tensor> dxs);

    // ---- Zero padding (ZeroPadOps, ZeroPadTest) --------------------------------------------------

    /**
     * Copies x into the middle of y and zeroes the padded border.
     *
     * @param op the padding, with its shapes
     * @param x input, {@code op.input()}
     * @param y output, {@code op.outputShape()}; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void zeroPad2dForward(ZeroPad2d op, Tensor x, Tensor y);

    /**
     * Crops dy's border away: dx is the interior of dy.
     *
     * @param op the padding
     * @param dy gradient of the output, {@code op.outputShape()}
     * @param dx gradient of the input, {@code op.input()}; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void zeroPad2dBackward(ZeroPad2d op, Tensor dy, Tensor dx);

    // ---- DropoutOp (DropoutOps, DropoutTest) -------------------------------------------------------

    /**
     * Training forward of step {@code step}; the same (seed, step) in backward applies the same mask.
     * Kept elements are scaled by {@code 1 / (1 - rate)}.
     *
     * @param op the dropout, with its rate and seed
     * @param step the training step, which with the op's seed determines the mask
     * @param x input
     * @param y output, x's shape; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void dropoutForward(DropoutOp op, long step, Tensor x, Tensor y);

    /**
     * Backward of {@link #dropoutForward} at the same step: applies the same mask and scale to dy.
     *
     * @param op the dropout
     * @param step the forward's step
     * @param dy gradient of the output
     * @param dx gradient of the input, dy's shape; overwritten
     * @throws IllegalArgumentException if a tensor's shape or format does not fit the op
     */
    void dropoutBackward(DropoutOp op, long step, Tensor dy, Tensor dx);

    // ---- Optimizers (OptimizerOps, OptimizerTest) ------------------------------------------------

    /**
     * One Adam step t (1-based) on param from grad, updating the moments m and v in place.
     *
     * @param op the hyperparameters (learning rate, betas, epsilon, weight decay)
     * @param step the 1-based step number, for the bias correction
     * @param param the parameter, updated in place
     * @param grad its gradient, param's shape
     * @param m the first moment, updated in place
     * @param v the second moment, updated in place
     * @throws IllegalArgumentException if the shapes differ or step is not positive
     */
    void adamUpdate(Adam op, long step, Tensor param, Tensor grad, Tensor m, Tensor v);

    /**
     * One Adam step t on every parameter of a list (grads, m and v index-aligned with params): the same
     * result as {@link #adamUpdate} on each, which a backend may compute in a single launch.
     *
     * @param op the hyperparameters
     * @param step the 1-based step number
     * @param params the parameters, updated in place
     * @param grads their gradients
     * @param ms their first moments, updated in place
     * @param vs their second moments, updated in place
     * @throws IllegalArgumentException if the lists differ in length or a tensor does not fit
     */
    default void adamUpdateAll(Adam op, long step, List<Tensor> params, List<Tensor> grads, List<Tensor> ms,
                               List<Tensor> vs) {
        if (grads.size() != params.size() || ms.size() != params.size() || vs.size() != params.size()) {
            throw new IllegalArgumentException(Adam.OP + ": expected as many grads, m and v as params (" + params.size()
                    + "). Received " + grads.size() + ", " + ms.size() + ", " + vs.size());
        }
        for (int i = 0; i < params.size(); i++) {
            adamUpdate(op, step, params.get(i), grads.get(i), ms.get(i), vs.get(i));
        }
    }

    /**
     * One SGD-with-momentum step on param from grad, updating velocity in place.
     *
     * @param op the hyperparameters (learning rate, momentum)
     * @param param the parameter, updated in place
     * @param grad its gradient, param's shape
     * @param velocity the momentum buffer, updated in place
     * @throws IllegalArgumentException if the shapes differ
     */
    void sgdMomentumUpdate(SgdMomentum op, Tensor param, Tensor grad, Tensor velocity);

    /**
     * The sum of the squares of every element of every tensor, accumulated in double and in a fixed
     * order (the same bits on every run, so a clipped run resumes bit for bit): the squared global norm
     * of clipping by global norm ({@link org.convnet4j.ops.ClipByGlobalNorm}). This default downloads
     * each tensor; the CPU and CUDA backends sum where the data lives.
     *
     * @param tensors live FP32 tensors of this backend
     * @return the sum of squares of all their elements
     * @throws IllegalArgumentException if the list or one of its tensors is null or closed
     */
    default double sumOfSquares(List<Tensor> tensors) {
        org.convnet4j.ops.ClipByGlobalNorm.checkTensors(tensors);
        double total = 0;
        for (Tensor t : tensors) {
            float[] host = new float[Math.toIntExact(t.size())];
            download(t, host);
            double s = 0;
            for (float v : host) {
                s += (double) v * v;
            }
            total += s;
        }
        return total;
    }

    /**
     * Multiplies every element of every tensor by {@code factor}, in place: clipping's rescale.
     *
     * @param tensors live FP32 tensors of this backend
     * @param factor the scale
     * @throws IllegalArgumentException if the list or one of its tensors is null or closed
     */
    default void scale(List<Tensor> tensors, float factor) {
        org.convnet4j.ops.ClipByGlobalNorm.checkTensors(tensors);
        for (Tensor t : tensors) {
            float[] host = new float[Math.toIntExact(t.size())];
            download(t, host);
            for (int i = 0; i < host.length; i++) {
                host[i] *= factor;
            }
            upload(host, t);
        }
    }

    /** Releases cached primitives and the pool's cache. Tensors still open stay valid until closed. */
    @Override
    void close();
}
