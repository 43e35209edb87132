package org.convnet4j.backend.cuda;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Precision;
import org.convnet4j.memory.MemoryLimit;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.Adam;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Checks;
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
 * The GPU backend: cuDNN for convolution, pooling, plain batch norm and relu; cuBLAS for dense
 * layers; our kernels (native/cuda, loaded from the fatbin through the driver API) for bias+relu,
 * fused batch norm + relu and + add + relu, the loss, dropout, optimizers, concat, padding and global
 * pooling. Everything is queued on one stream, in order, and returns without waiting, except what
 * hands values to the host (download, the loss, {@link #synchronize}).
 *
 * <p>Safe to share between threads: every op holds the backend while it queues its work (the kernel
 * argument block, the plans and the stream are shared), so ops of different threads take turns on
 * the one stream. An {@code Executor} or {@code Trainer} on top is still one caller's.
 */
public final class CudaBackend implements Backend {
    private final CudaContext ctx;
    private final Kernels kernels;
    private final Transfers transfers;
    private final ConvOps conv;
    private final PoolOps pooling;
    private final BatchNormOps batchNorm;
    private final DenseOps dense;
    private final ElementwiseOps elementwise;
    private final ConcatOps concat;
    private final ZeroPadOps zeroPad;
    private final SoftmaxCrossEntropyOps loss;
    private final DropoutOps dropout;
    private final OptimizerOps optimizers;
    private boolean closed;

    /** Device 0, TF32 as the environment says ({@code convnet4j.cuda.tf32}, default on). */
    /** A backend on device 0, TF32 as {@link #tf32FromEnvironment()} says. */
    public CudaBackend() {
        this(0, CudaContext.tf32FromEnvironment());
    }

    /**
     * A backend on one GPU.
     *
     * @param device the CUDA device index
     * @param tf32 whether convolutions and matrix products may use TF32 tensor cores
     */
    public CudaBackend(int device, boolean tf32) {
        ctx = new CudaContext(device, tf32);
        kernels = new Kernels(ctx);
        transfers = new Transfers(ctx);
        conv = new ConvOps(ctx, kernels);
        pooling = new PoolOps(ctx, kernels);
        batchNorm = new BatchNormOps(ctx, kernels);
        dense = new DenseOps(ctx, kernels);
        elementwise = new ElementwiseOps(ctx, kernels);
        concat = new ConcatOps(kernels);
        zeroPad = new ZeroPadOps(kernels);
        loss = new SoftmaxCrossEntropyOps(kernels, transfers, ctx.pool());
        dropout = new DropoutOps(kernels);
        optimizers = new OptimizerOps(kernels, transfers, ctx.pool());
    }

    /**
     * Whether TF32 is allowed by default here: {@code -Dconvnet4j.cuda.tf32} or CONVNET4J_CUDA_TF32, else on.
     *
     * @return the default for {@link #CudaBackend(int, boolean)}'s {@code tf32}
     */
    public static boolean tf32FromEnvironment() {
        return CudaContext.tf32FromEnvironment();
    }

    @Override
    public String name() {
        return "cuda";
    }

    /**
     * The device and math mode.
     *
     * @return e.g. "NVIDIA H200 (sm_90, 139 GiB), TF32 on"
     */
    public String describe() {
        return ctx.deviceName() + ", TF32 " + (ctx.tf32() ? "on" : "off (strict FP32)");
    }

    @Override
    public MemoryPool pool() {
        return ctx.pool();
    }

    /** The device's free memory, as cudaMemGetInfo says (what this backend's pool has cached is not counted). */
    @Override
    public synchronized MemoryLimit memoryLimit() {
        ctx.makeCurrent();
        long[] m = DevicePool.memoryInfo();
        if (m == null) {
            return new MemoryLimit(Long.MAX_VALUE, "the GPU's free memory, which CUDA did not report");
        }
        return new MemoryLimit(m[0], "the " + MemoryLimit.format(m[0]) + " of free memory on the GPU, of "
                + MemoryLimit.format(m[1]));
    }

    // ---- Tensors and host transfers

    /**
     * FP32 NCHW (or, mixed precision, BF16/FP16 NHWC for image activations; see {@link #checkPrecision}).
     *
     * @param precision the policy
     * @return NCHW for FP32, NHWC for BF16 and FP16
     */
    @Override
    public Layout activationLayout(Precision precision) {
        return Formats.layoutOf(precision.activations());
    }

    /**
     * Accepts fp32, bf16 and fp16: reduced-precision image activations in NHWC, convolutions on cuDNN
     * in FP32 accumulation with tensor cores, FP32 master weights. Not yet on hardware (written and
     * checked against the stub only): see docs. Frozen (fused, inference-only) convolutions are FP32
     * only ({@link #freezeConv(Conv2dOp, Tensor, Tensor, boolean, boolean, Precision)} refuses others).
     *
     * @param precision the policy
     */
    @Override
    public void checkPrecision(Precision precision) {
        // every precision is accepted
    }

    @Override
    public synchronized void upload(float[] src, Tensor dst) {
        ensureOpen();
        if (dst != null && dst.isLive() && Formats.half(dst.dtype())) {
            // FP32 NCHW host data into a BF16/FP16 activation (rounded to nearest even on the device)
            try (Tensor plain = allocate(dst.shape())) {
                upload(src, plain);
                convertUnlocked(plain, dst);
            }
            return;
        }
        Checks.transfer("upload", src == null ? -1 : src.length, dst, DType.FP32);
        transfers.upload(src, dst);
    }

    @Override
    public synchronized void upload(int[] src, Tensor dst) {
        ensureOpen();
        Checks.transfer("upload", src == null ? -1 : src.length, dst, DType.INT32);
        transfers.upload(src, dst);
    }

    @Override
    public synchronized void download(Tensor src, float[] dst) {
        ensureOpen();
        if (src != null && src.isLive() && Formats.half(src.dtype())) {
            // a BF16/FP16 activation reads back as FP32 in NCHW order
            try (Tensor plain = allocate(src.shape())) {
                convertUnlocked(src, plain);
                download(plain, dst);
            }
            return;
        }
        Checks.transfer("download", dst == null ? -1 : dst.length, src, DType.FP32);
        transfers.download(src, dst);
    }

    @Override
    public synchronized void fill(Tensor t, float value) {
        if (t == null || t.dtype() != DType.INT32) {
            Formats.activations("fill", t);
        }
        ensureOpen();
        elementwise.fill(t, value);
    }

    @Override
    public synchronized void copy(Tensor src, Tensor dst) {
        if (src == null || src.dtype() != DType.INT32) {
            Formats.activations("copy", src, dst);
        }
        ensureOpen();
        elementwise.copy(src, dst);
    }

    /**
     * Converts between FP32 NCHW and the BF16/FP16 NHWC of mixed precision (either direction), or
     * changes only the memory order ({@code c4j_convert_<from>_<to>}, one pass; BF16 and FP16 round to
     * nearest even). Same formats copy.
     *
     * @param src the tensor read
     * @param dst the tensor written, of src's shape
     * @throws IllegalArgumentException for a pair of formats with no kernel (BF16 to FP16), or shapes
     *         that differ
     */
    @Override
    public synchronized void convert(Tensor src, Tensor dst) {
        ensureOpen();
        convertUnlocked(src, dst);
    }

    /** {@link #convert}'s work, for callers already holding this backend. */
    void convertUnlocked(Tensor src, Tensor dst) {
        if (src == null) {
            throw new IllegalArgumentException("convert: src is null");
        }
        Checks.activation("convert", "src", src, src.shape());
        Checks.activation("convert", "dst", dst, src.shape());
        if (src.dtype() == dst.dtype() && src.layout() == dst.layout()) {
            elementwise.copy(src, dst);
            return;
        }
        String kernel = Formats.convertKernel(src.dtype(), dst.dtype());
        Shape s = src.shape();
        long n = s.dim(0);
        int channels = s.rank() > 1 ? s.intDim(1) : 1;
        long hw = s.size() / (n * channels);
        int mode = src.layout() == dst.layout() ? 0 : dst.layout() == Layout.NHWC ? 1 : 2;
        kernels.elementwise(kernel, s.size())
                .ptr(src).ptr(dst).i64(n).i32(channels).i64(hw).i32(mode).go("convert " + src + " to " + dst);
    }

    @Override
    public synchronized void synchronize() {
        ensureOpen();
        ctx.synchronize("synchronize");
    }

    // ---- Convolution

    @Override
    public synchronized void conv2dForward(Conv2dOp op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        Formats.activations("conv2dForward", x, y);
        Formats.parameters("conv2dForward", w, bias);
        ensureOpen();
        conv.forward(op, x, w, bias, y, false);
    }

    @Override
    public synchronized void conv2dBackwardData(Conv2dOp op, Tensor dy, Tensor w, Tensor dx) {
        Formats.activations("conv2dBackwardData", dy, dx);
        Formats.parameters("conv2dBackwardData", w);
        ensureOpen();
        conv.backwardData(op, dy, w, dx);
    }

    @Override
    public synchronized void conv2dBackwardFilter(Conv2dOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        Formats.activations("conv2dBackwardFilter", x, dy);
        Formats.parameters("conv2dBackwardFilter", dw, dbias);
        ensureOpen();
        conv.backwardFilter(op, x, dy, dw, dbias);
    }

    @Override
    public synchronized void conv2dBiasReluForward(Conv2dOp op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        Formats.activations("conv2dBiasReluForward", x, y);
        Formats.parameters("conv2dBiasReluForward", w, bias);
        ensureOpen();
        conv.forward(op, x, w, bias, y, true);
    }

    // ---- Pooling

    @Override
    public synchronized void pool2dForward(Pool2d op, Tensor x, Tensor y) {
        Formats.activations("pool2dForward", x, y);
        ensureOpen();
        pooling.forward(op, x, y);
    }

    @Override
    public synchronized void pool2dBackward(Pool2d op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        Formats.activations("pool2dBackward", x, y, dy, dx);
        ensureOpen();
        pooling.backward(op, x, y, dy, dx);
    }

    @Override
    public synchronized void globalAvgPoolForward(GlobalAvgPool op, Tensor x, Tensor y) {
        Formats.activations("globalAvgPoolForward", x);
        Formats.parameters("globalAvgPoolForward", y);
        ensureOpen();
        pooling.globalForward(op, x, y);
    }

    @Override
    public synchronized void globalAvgPoolBackward(GlobalAvgPool op, Tensor dy, Tensor dx) {
        Formats.parameters("globalAvgPoolBackward", dy);
        Formats.activations("globalAvgPoolBackward", dx);
        ensureOpen();
        pooling.globalBackward(op, dy, dx);
    }

    // ---- Batch normalization

    @Override
    public synchronized void batchNormForwardTraining(BatchNorm op, Tensor x, BatchNormParams p, Tensor y, Tensor saved) {
        DType t = Formats.activations("batchNormForwardTraining", x, y);
        Formats.parameters("batchNormForwardTraining", saved);
        ensureOpen();
        if (Formats.half(t) && !BatchNormOps.cudnnAccepts(op)) {
            try (Staging st = new Staging(this)) {
                batchNorm.forwardTraining(op, st.in(x), p, st.out(y), saved);
                st.commit();
            }
            return;
        }
        batchNorm.forwardTraining(op, x, p, y, saved);
    }

    @Override
    public synchronized void batchNormForwardInference(BatchNorm op, Tensor x, BatchNormParams p, Tensor y) {
        DType t = Formats.activations("batchNormForwardInference", x, y);
        ensureOpen();
        if (Formats.half(t) && !BatchNormOps.cudnnAccepts(op)) {
            try (Staging st = new Staging(this)) {
                batchNorm.forwardInference(op, st.in(x), p, st.out(y));
                st.commit();
            }
            return;
        }
        batchNorm.forwardInference(op, x, p, y);
    }

    @Override
    public synchronized void batchNormBackward(BatchNorm op, Tensor x, Tensor dy, BatchNormParams p, Tensor saved,
                                  Tensor dx, Tensor dgamma, Tensor dbeta) {
        DType t = Formats.activations("batchNormBackward", x, dy, dx);
        Formats.parameters("batchNormBackward", saved, dgamma, dbeta);
        ensureOpen();
        if (Formats.half(t) && !BatchNormOps.cudnnAccepts(op)) {
            try (Staging st = new Staging(this)) {
                batchNorm.backward(op, st.in(x), st.in(dy), p, saved, st.out(dx), dgamma, dbeta);
                st.commit();
            }
            return;
        }
        batchNorm.backward(op, x, dy, p, saved, dx, dgamma, dbeta);
    }

    @Override
    public synchronized void batchNormReluForwardTraining(BatchNorm op, Tensor x, BatchNormParams p, Tensor y, Tensor saved) {
        Formats.activations("batchNormReluForwardTraining", x, y);
        Formats.parameters("batchNormReluForwardTraining", saved);
        ensureOpen();
        try (Staging st = new Staging(this)) {
            batchNorm.fusedForwardTraining(op, st.in(x), null, p, st.out(y), saved, true);
            st.commit();
        }
    }

    @Override
    public synchronized void batchNormReluForwardInference(BatchNorm op, Tensor x, BatchNormParams p, Tensor y) {
        Formats.activations("batchNormReluForwardInference", x, y);
        ensureOpen();
        try (Staging st = new Staging(this)) {
            batchNorm.fusedForwardInference(op, st.in(x), null, p, st.out(y));
            st.commit();
        }
    }

    @Override
    public synchronized void batchNormReluBackward(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                                      Tensor dx, Tensor dgamma, Tensor dbeta) {
        Formats.activations("batchNormReluBackward", x, y, dy, dx);
        Formats.parameters("batchNormReluBackward", saved, dgamma, dbeta);
        ensureOpen();
        requireY(op, y);
        try (Staging st = new Staging(this)) {
            batchNorm.fusedBackward(op, st.in(x), st.in(y), st.in(dy), p, saved, st.out(dx), null, dgamma, dbeta);
            st.commit();
        }
    }

    @Override
    public synchronized void batchNormAddReluForwardTraining(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p,
                                                Tensor y, Tensor saved) {
        Formats.activations("batchNormAddReluForwardTraining", x, residual, y);
        Formats.parameters("batchNormAddReluForwardTraining", saved);
        ensureOpen();
        requireResidual(op, residual);
        try (Staging st = new Staging(this)) {
            batchNorm.fusedForwardTraining(op, st.in(x), st.in(residual), p, st.out(y), saved, true);
            st.commit();
        }
    }

    @Override
    public synchronized void batchNormAddReluForwardInference(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p, Tensor y) {
        Formats.activations("batchNormAddReluForwardInference", x, residual, y);
        ensureOpen();
        requireResidual(op, residual);
        try (Staging st = new Staging(this)) {
            batchNorm.fusedForwardInference(op, st.in(x), st.in(residual), p, st.out(y));
            st.commit();
        }
    }

    @Override
    public synchronized void batchNormAddReluBackward(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                                         Tensor dx, Tensor dresidual, Tensor dgamma, Tensor dbeta) {
        Formats.activations("batchNormAddReluBackward", x, y, dy, dx, dresidual);
        Formats.parameters("batchNormAddReluBackward", saved, dgamma, dbeta);
        ensureOpen();
        requireY(op, y);
        if (dresidual == null) {
            throw new IllegalArgumentException(BatchNorm.OP + ": dresidual is null for " + op);
        }
        try (Staging st = new Staging(this)) {
            batchNorm.fusedBackward(op, st.in(x), st.in(y), st.in(dy), p, saved, st.out(dx), st.out(dresidual), dgamma,
                    dbeta);
            st.commit();
        }
    }

    /** whole, then the parts (a null list checks whole alone; the op's own check reports it). */
    private static Tensor[] concatTensors(Tensor whole, List<Tensor> parts) {
        Tensor[] all = new Tensor[1 + (parts == null ? 0 : parts.size())];
        all[0] = whole;
        for (int i = 1; i < all.length; i++) {
            all[i] = parts.get(i - 1);
        }
        return all;
    }

    private static void requireY(BatchNorm op, Tensor y) {
        if (y == null) {
            throw new IllegalArgumentException(BatchNorm.OP + ": y (the forward's output) is null for " + op);
        }
    }

    private static void requireResidual(BatchNorm op, Tensor residual) {
        if (residual == null) {
            throw new IllegalArgumentException(BatchNorm.OP + ": residual is null for " + op);
        }
    }

    // ---- Activations, loss, dense, elementwise

    @Override
    public synchronized void reluForward(Tensor x, Tensor y) {
        Formats.activations("reluForward", x, y);
        ensureOpen();
        elementwise.reluForward(x, y);
    }

    @Override
    public synchronized void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        Formats.activations("reluBackward", y, dy, dx);
        ensureOpen();
        elementwise.reluBackward(y, dy, dx);
    }

    @Override
    public synchronized float softmaxCrossEntropy(SoftmaxCrossEntropy op, Tensor logits, Tensor labels, float weight,
                                     Tensor probs, Tensor dlogits) {
        ensureOpen();
        return loss.run(op, logits, labels, weight, probs, dlogits);
    }

    @Override
    public synchronized void denseForward(DenseOp op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        Formats.parameters("denseForward", x, y);
        ensureOpen();
        dense.forward(op, x, w, bias, y);
    }

    @Override
    public synchronized void denseBackwardData(DenseOp op, Tensor dy, Tensor w, Tensor dx) {
        Formats.parameters("denseBackwardData", dy, dx);
        ensureOpen();
        dense.backwardData(op, dy, w, dx);
    }

    @Override
    public synchronized void denseBackwardWeights(DenseOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        Formats.parameters("denseBackwardWeights", x, dy);
        ensureOpen();
        dense.backwardWeights(op, x, dy, dw, dbias);
    }

    @Override
    public synchronized void add(Tensor a, Tensor b, Tensor y) {
        Formats.activations("add", a, b, y);
        ensureOpen();
        elementwise.add(a, b, y);
    }

    @Override
    public synchronized void accumulate(Tensor src, Tensor dst) {
        Formats.activations("accumulate", src, dst);
        ensureOpen();
        elementwise.accumulate(src, dst);
    }

    // ---- Concat, padding, dropout, optimizers

    @Override
    public synchronized void concatForward(Concat op, List<Tensor> xs, Tensor y) {
        Formats.activations("concatForward", concatTensors(y, xs));
        ensureOpen();
        concat.forward(op, xs, y);
    }

    @Override
    public synchronized void concatBackward(Concat op, Tensor dy, List<Tensor> dxs) {
        Formats.activations("concatBackward", concatTensors(dy, dxs));
        ensureOpen();
        concat.backward(op, dy, dxs);
    }

    @Override
    public synchronized void zeroPad2dForward(ZeroPad2d op, Tensor x, Tensor y) {
        Formats.activations("zeroPad2dForward", x, y);
        ensureOpen();
        zeroPad.forward(op, x, y);
    }

    @Override
    public synchronized void zeroPad2dBackward(ZeroPad2d op, Tensor dy, Tensor dx) {
        Formats.activations("zeroPad2dBackward", dy, dx);
        ensureOpen();
        zeroPad.backward(op, dy, dx);
    }

    @Override
    public synchronized void dropoutForward(DropoutOp op, long step, Tensor x, Tensor y) {
        Formats.activations("dropoutForward", x, y);
        ensureOpen();
        dropout.forward(op, step, x, y);
    }

    @Override
    public synchronized void dropoutBackward(DropoutOp op, long step, Tensor dy, Tensor dx) {
        Formats.activations("dropoutBackward", dy, dx);
        ensureOpen();
        dropout.backward(op, step, dy, dx);
    }

    @Override
    public synchronized void adamUpdate(Adam op, long step, Tensor param, Tensor grad, Tensor m, Tensor v) {
        ensureOpen();
        optimizers.adam(op, step, param, grad, m, v);
    }

    @Override
    public synchronized void adamUpdateAll(Adam op, long step, List<Tensor> params, List<Tensor> grads, List<Tensor> ms,
                              List<Tensor> vs) {
        ensureOpen();
        optimizers.adamAll(op, step, params, grads, ms, vs);
    }

    @Override
    public synchronized void sgdMomentumUpdate(SgdMomentum op, Tensor param, Tensor grad, Tensor velocity) {
        ensureOpen();
        optimizers.sgdMomentum(op, param, grad, velocity);
    }

    @Override
    public synchronized double sumOfSquares(List<Tensor> tensors) {
        ensureOpen();
        return optimizers.sumOfSquares(tensors);
    }

    @Override
    public synchronized void scale(List<Tensor> tensors, float factor) {
        ensureOpen();
        optimizers.scale(tensors, factor);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("The cuda backend is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            // Drain first: queued kernels still reference the module, the descriptors' workspaces and
            // the pool's blocks. A failed drain (a sticky device fault) is reported after freeing.
            try {
                ctx.synchronize("close");
            } finally {
                conv.close();
                pooling.close();
                batchNorm.close();
                elementwise.close();
                transfers.close();
                kernels.close();
                ctx.close();
            }
        }
    }
}
