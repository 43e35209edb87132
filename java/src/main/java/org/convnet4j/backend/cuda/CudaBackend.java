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
import org.convnet4j.ops.Conv2d;
import org.convnet4j.ops.Dense;
import org.convnet4j.ops.Dropout;
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
 * <p>Not thread-safe: one backend serves one training or inference loop (any one thread at a time).
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
    public CudaBackend() {
        this(0, CudaContext.tf32FromEnvironment());
    }

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

    /** Whether TF32 is allowed by default here: {@code -Dconvnet4j.cuda.tf32} or CONVNET4J_CUDA_TF32, else on. */
    public static boolean tf32FromEnvironment() {
        return CudaContext.tf32FromEnvironment();
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** The device and math mode, e.g. "NVIDIA H200 (sm_90, 139 GiB), TF32 on". */
    public String describe() {
        return ctx.deviceName() + ", TF32 " + (ctx.tf32() ? "on" : "off (strict FP32)");
    }

    @Override
    public MemoryPool pool() {
        return ctx.pool();
    }

    /** The device's free memory, as cudaMemGetInfo says (what this backend's pool has cached is not counted). */
    @Override
    public MemoryLimit memoryLimit() {
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
    public void upload(float[] src, Tensor dst) {
        ensureOpen();
        Checks.transfer("upload", src == null ? -1 : src.length, dst, DType.FP32);
        transfers.upload(src, dst);
    }

    @Override
    public void upload(int[] src, Tensor dst) {
        ensureOpen();
        Checks.transfer("upload", src == null ? -1 : src.length, dst, DType.INT32);
        transfers.upload(src, dst);
    }

    @Override
    public void download(Tensor src, float[] dst) {
        ensureOpen();
        Checks.transfer("download", dst == null ? -1 : dst.length, src, DType.FP32);
        transfers.download(src, dst);
    }

    @Override
    public void fill(Tensor t, float value) {
        ensureOpen();
        elementwise.fill(t, value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        ensureOpen();
        elementwise.copy(src, dst);
    }

    @Override
    public void synchronize() {
        ensureOpen();
        ctx.synchronize("synchronize");
    }

    // ---- Convolution

    @Override
    public void conv2dForward(Conv2d op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        ensureOpen();
        conv.forward(op, x, w, bias, y, false);
    }

    @Override
    public void conv2dBackwardData(Conv2d op, Tensor dy, Tensor w, Tensor dx) {
        ensureOpen();
        conv.backwardData(op, dy, w, dx);
    }

    @Override
    public void conv2dBackwardFilter(Conv2d op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        ensureOpen();
        conv.backwardFilter(op, x, dy, dw, dbias);
    }

    @Override
    public void conv2dBiasReluForward(Conv2d op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        ensureOpen();
        conv.forward(op, x, w, bias, y, true);
    }

    // ---- Pooling

    @Override
    public void pool2dForward(Pool2d op, Tensor x, Tensor y) {
        ensureOpen();
        pooling.forward(op, x, y);
    }

    @Override
    public void pool2dBackward(Pool2d op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        ensureOpen();
        pooling.backward(op, x, y, dy, dx);
    }

    @Override
    public void globalAvgPoolForward(GlobalAvgPool op, Tensor x, Tensor y) {
        ensureOpen();
        pooling.globalForward(op, x, y);
    }

    @Override
    public void globalAvgPoolBackward(GlobalAvgPool op, Tensor dy, Tensor dx) {
        ensureOpen();
        pooling.globalBackward(op, dy, dx);
    }

    // ---- Batch normalization

    @Override
    public void batchNormForwardTraining(BatchNorm op, Tensor x, BatchNormParams p, Tensor y, Tensor saved) {
        ensureOpen();
        batchNorm.forwardTraining(op, x, p, y, saved);
    }

    @Override
    public void batchNormForwardInference(BatchNorm op, Tensor x, BatchNormParams p, Tensor y) {
        ensureOpen();
        batchNorm.forwardInference(op, x, p, y);
    }

    @Override
    public void batchNormBackward(BatchNorm op, Tensor x, Tensor dy, BatchNormParams p, Tensor saved,
                                  Tensor dx, Tensor dgamma, Tensor dbeta) {
        ensureOpen();
        batchNorm.backward(op, x, dy, p, saved, dx, dgamma, dbeta);
    }

    @Override
    public void batchNormReluForwardTraining(BatchNorm op, Tensor x, BatchNormParams p, Tensor y, Tensor saved) {
        ensureOpen();
        batchNorm.fusedForwardTraining(op, x, null, p, y, saved, true);
    }

    @Override
    public void batchNormReluForwardInference(BatchNorm op, Tensor x, BatchNormParams p, Tensor y) {
        ensureOpen();
        batchNorm.fusedForwardInference(op, x, null, p, y);
    }

    @Override
    public void batchNormReluBackward(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                                      Tensor dx, Tensor dgamma, Tensor dbeta) {
        ensureOpen();
        requireY(op, y);
        batchNorm.fusedBackward(op, x, y, dy, p, saved, dx, null, dgamma, dbeta);
    }

    @Override
    public void batchNormAddReluForwardTraining(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p,
                                                Tensor y, Tensor saved) {
        ensureOpen();
        requireResidual(op, residual);
        batchNorm.fusedForwardTraining(op, x, residual, p, y, saved, true);
    }

    @Override
    public void batchNormAddReluForwardInference(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p, Tensor y) {
        ensureOpen();
        requireResidual(op, residual);
        batchNorm.fusedForwardInference(op, x, residual, p, y);
    }

    @Override
    public void batchNormAddReluBackward(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                                         Tensor dx, Tensor dresidual, Tensor dgamma, Tensor dbeta) {
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
    public void reluForward(Tensor x, Tensor y) {
        ensureOpen();
        elementwise.reluForward(x, y);
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        ensureOpen();
        elementwise.reluBackward(y, dy, dx);
    }

    @Override
    public float softmaxCrossEntropy(SoftmaxCrossEntropy op, Tensor logits, Tensor labels, float weight,
                                     Tensor probs, Tensor dlogits) {
        ensureOpen();
        return loss.run(op, logits, labels, weight, probs, dlogits);
    }

    @Override
    public void denseForward(Dense op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        ensureOpen();
        dense.forward(op, x, w, bias, y);
    }

    @Override
    public void denseBackwardData(Dense op, Tensor dy, Tensor w, Tensor dx) {
        ensureOpen();
        dense.backwardData(op, dy, w, dx);
    }

    @Override
    public void denseBackwardWeights(Dense op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        ensureOpen();
        dense.backwardWeights(op, x, dy, dw, dbias);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor y) {
        ensureOpen();
        elementwise.add(a, b, y);
    }

    @Override
    public void accumulate(Tensor src, Tensor dst) {
        ensureOpen();
        elementwise.accumulate(src, dst);
    }

    // ---- Concat, padding, dropout, optimizers

    @Override
    public void concatForward(Concat op, List<Tensor> xs, Tensor y) {
        ensureOpen();
        concat.forward(op, xs, y);
    }

    @Override
    public void concatBackward(Concat op, Tensor dy, List<Tensor> dxs) {
        ensureOpen();
        concat.backward(op, dy, dxs);
    }

    @Override
    public void zeroPad2dForward(ZeroPad2d op, Tensor x, Tensor y) {
        ensureOpen();
        zeroPad.forward(op, x, y);
    }

    @Override
    public void zeroPad2dBackward(ZeroPad2d op, Tensor dy, Tensor dx) {
        ensureOpen();
        zeroPad.backward(op, dy, dx);
    }

    @Override
    public void dropoutForward(Dropout op, long step, Tensor x, Tensor y) {
        ensureOpen();
        dropout.forward(op, step, x, y);
    }

    @Override
    public void dropoutBackward(Dropout op, long step, Tensor dy, Tensor dx) {
        ensureOpen();
        dropout.backward(op, step, dy, dx);
    }

    @Override
    public void adamUpdate(Adam op, long step, Tensor param, Tensor grad, Tensor m, Tensor v) {
        ensureOpen();
        optimizers.adam(op, step, param, grad, m, v);
    }

    @Override
    public void adamUpdateAll(Adam op, long step, List<Tensor> params, List<Tensor> grads, List<Tensor> ms,
                              List<Tensor> vs) {
        ensureOpen();
        optimizers.adamAll(op, step, params, grads, ms, vs);
    }

    @Override
    public void sgdMomentumUpdate(SgdMomentum op, Tensor param, Tensor grad, Tensor velocity) {
        ensureOpen();
        optimizers.sgdMomentum(op, param, grad, velocity);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("The cuda backend is closed");
        }
    }

    @Override
    public void close() {
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
