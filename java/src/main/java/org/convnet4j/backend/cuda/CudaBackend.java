package org.convnet4j.backend.cuda;

import java.util.List;

import org.convnet4j.backend.Backend;
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

    @Override
    public synchronized void upload(float[] src, Tensor dst) {
        ensureOpen();
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
        Checks.transfer("download", dst == null ? -1 : dst.length, src, DType.FP32);
        transfers.download(src, dst);
    }

    @Override
    public synchronized void fill(Tensor t, float value) {
        Checks.plain("fill", t);
        ensureOpen();
        elementwise.fill(t, value);
    }

    @Override
    public synchronized void copy(Tensor src, Tensor dst) {
        Checks.plain("copy", src, dst);
        ensureOpen();
        elementwise.copy(src, dst);
    }

    @Override
    public synchronized void synchronize() {
        ensureOpen();
        ctx.synchronize("synchronize");
    }

    // ---- Convolution

    @Override
    public synchronized void conv2dForward(Conv2dOp op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        Checks.plain("conv2dForward", x, w, bias, y);
        ensureOpen();
        conv.forward(op, x, w, bias, y, false);
    }

    @Override
    public synchronized void conv2dBackwardData(Conv2dOp op, Tensor dy, Tensor w, Tensor dx) {
        Checks.plain("conv2dBackwardData", dy, w, dx);
        ensureOpen();
        conv.backwardData(op, dy, w, dx);
    }

    @Override
    public synchronized void conv2dBackwardFilter(Conv2dOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        Checks.plain("conv2dBackwardFilter", x, dy, dw, dbias);
        ensureOpen();
        conv.backwardFilter(op, x, dy, dw, dbias);
    }

    @Override
    public synchronized void conv2dBiasReluForward(Conv2dOp op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        Checks.plain("conv2dBiasReluForward", x, w, bias, y);
        ensureOpen();
        conv.forward(op, x, w, bias, y, true);
    }

    // ---- Pooling

    @Override
    public synchronized void pool2dForward(Pool2d op, Tensor x, Tensor y) {
        Checks.plain("pool2dForward", x, y);
        ensureOpen();
        pooling.forward(op, x, y);
    }

    @Override
    public synchronized void pool2dBackward(Pool2d op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        Checks.plain("pool2dBackward", x, y, dy, dx);
        ensureOpen();
        pooling.backward(op, x, y, dy, dx);
    }

    @Override
    public synchronized void globalAvgPoolForward(GlobalAvgPool op, Tensor x, Tensor y) {
        Checks.plain("globalAvgPoolForward", x, y);
        ensureOpen();
        pooling.globalForward(op, x, y);
    }

    @Override
    public synchronized void globalAvgPoolBackward(GlobalAvgPool op, Tensor dy, Tensor dx) {
        Checks.plain("globalAvgPoolBackward", dy, dx);
        ensureOpen();
        pooling.globalBackward(op, dy, dx);
    }

    // ---- Batch normalization

    @Override
    public synchronized void batchNormForwardTraining(BatchNorm op, Tensor x, BatchNormParams p, Tensor y, Tensor saved) {
        Checks.plain("batchNormForwardTraining", x, y, saved);
        ensureOpen();
        batchNorm.forwardTraining(op, x, p, y, saved);
    }

    @Override
    public synchronized void batchNormForwardInference(BatchNorm op, Tensor x, BatchNormParams p, Tensor y) {
        Checks.plain("batchNormForwardInference", x, y);
        ensureOpen();
        batchNorm.forwardInference(op, x, p, y);
    }

    @Override
    public synchronized void batchNormBackward(BatchNorm op, Tensor x, Tensor dy, BatchNormParams p, Tensor saved,
                                  Tensor dx, Tensor dgamma, Tensor dbeta) {
        Checks.plain("batchNormBackward", x, dy, saved, dx, dgamma, dbeta);
        ensureOpen();
        batchNorm.backward(op, x, dy, p, saved, dx, dgamma, dbeta);
    }

    @Override
    public synchronized void batchNormReluForwardTraining(BatchNorm op, Tensor x, BatchNormParams p, Tensor y, Tensor saved) {
        Checks.plain("batchNormReluForwardTraining", x, y, saved);
        ensureOpen();
        batchNorm.fusedForwardTraining(op, x, null, p, y, saved, true);
    }

    @Override
    public synchronized void batchNormReluForwardInference(BatchNorm op, Tensor x, BatchNormParams p, Tensor y) {
        Checks.plain("batchNormReluForwardInference", x, y);
        ensureOpen();
        batchNorm.fusedForwardInference(op, x, null, p, y);
    }

    @Override
    public synchronized void batchNormReluBackward(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                                      Tensor dx, Tensor dgamma, Tensor dbeta) {
        Checks.plain("batchNormReluBackward", x, y, dy, saved, dx, dgamma, dbeta);
        ensureOpen();
        requireY(op, y);
        batchNorm.fusedBackward(op, x, y, dy, p, saved, dx, null, dgamma, dbeta);
    }

    @Override
    public synchronized void batchNormAddReluForwardTraining(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p,
                                                Tensor y, Tensor saved) {
        Checks.plain("batchNormAddReluForwardTraining", x, residual, y, saved);
        ensureOpen();
        requireResidual(op, residual);
        batchNorm.fusedForwardTraining(op, x, residual, p, y, saved, true);
    }

    @Override
    public synchronized void batchNormAddReluForwardInference(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p, Tensor y) {
        Checks.plain("batchNormAddReluForwardInference", x, residual, y);
        ensureOpen();
        requireResidual(op, residual);
        batchNorm.fusedForwardInference(op, x, residual, p, y);
    }

    @Override
    public synchronized void batchNormAddReluBackward(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                                         Tensor dx, Tensor dresidual, Tensor dgamma, Tensor dbeta) {
        Checks.plain("batchNormAddReluBackward", x, y, dy, saved, dx, dresidual, dgamma, dbeta);
        ensureOpen();
        requireY(op, y);
        if (dresidual == null) {
            throw new IllegalArgumentException(BatchNorm.OP + ": dresidual is null for " + op);
        }
        batchNorm.fusedBackward(op, x, y, dy, p, saved, dx, dresidual, dgamma, dbeta);
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
        Checks.plain("reluForward", x, y);
        ensureOpen();
        elementwise.reluForward(x, y);
    }

    @Override
    public synchronized void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        Checks.plain("reluBackward", y, dy, dx);
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
        Checks.plain("denseForward", x, y);
        ensureOpen();
        dense.forward(op, x, w, bias, y);
    }

    @Override
    public synchronized void denseBackwardData(DenseOp op, Tensor dy, Tensor w, Tensor dx) {
        Checks.plain("denseBackwardData", dy, dx);
        ensureOpen();
        dense.backwardData(op, dy, w, dx);
    }

    @Override
    public synchronized void denseBackwardWeights(DenseOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        Checks.plain("denseBackwardWeights", x, dy);
        ensureOpen();
        dense.backwardWeights(op, x, dy, dw, dbias);
    }

    @Override
    public synchronized void add(Tensor a, Tensor b, Tensor y) {
        Checks.plain("add", a, b, y);
        ensureOpen();
        elementwise.add(a, b, y);
    }

    @Override
    public synchronized void accumulate(Tensor src, Tensor dst) {
        Checks.plain("accumulate", src, dst);
        ensureOpen();
        elementwise.accumulate(src, dst);
    }

    // ---- Concat, padding, dropout, optimizers

    @Override
    public synchronized void concatForward(Concat op, List<Tensor> xs, Tensor y) {
        Checks.plain("concatForward", y);
        Checks.plain("concatForward", xs.toArray(new Tensor[0]));
        ensureOpen();
        concat.forward(op, xs, y);
    }

    @Override
    public synchronized void concatBackward(Concat op, Tensor dy, List<Tensor> dxs) {
        Checks.plain("concatBackward", dy);
        Checks.plain("concatBackward", dxs.toArray(new Tensor[0]));
        ensureOpen();
        concat.backward(op, dy, dxs);
    }

    @Override
    public synchronized void zeroPad2dForward(ZeroPad2d op, Tensor x, Tensor y) {
        Checks.plain("zeroPad2dForward", x, y);
        ensureOpen();
        zeroPad.forward(op, x, y);
    }

    @Override
    public synchronized void zeroPad2dBackward(ZeroPad2d op, Tensor dy, Tensor dx) {
        Checks.plain("zeroPad2dBackward", dy, dx);
        ensureOpen();
        zeroPad.backward(op, dy, dx);
    }

    @Override
    public synchronized void dropoutForward(DropoutOp op, long step, Tensor x, Tensor y) {
        Checks.plain("dropoutForward", x, y);
        ensureOpen();
        dropout.forward(op, step, x, y);
    }

    @Override
    public synchronized void dropoutBackward(DropoutOp op, long step, Tensor dy, Tensor dx) {
        Checks.plain("dropoutBackward", dy, dx);
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
