package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convnet4j.memory.Block;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Checks;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Tensor;

/**
 * Batch normalization, plain and in its two fused forms ({@code relu(bn(x))}, {@code relu(bn(x) +
 * residual)}).
 *
 * <p>Training on images runs our native loops (native/cpu/batch_norm.cpp), each fused form in the
 * same passes as the batch norm itself, the backward reading the relu mask from the forward output
 * y. Measured, not assumed (docs/BENCHMARKS.md): oneDNN 3.13 has only generic kernels for plain
 * NCHW FP32, 4.5-9 GB/s here, about half of what the native loops reach; its
 * {@code dnnl_fuse_norm_relu} was slower still (10.9 ms against 3.4 ms for two passes on AlexNet8's
 * 32x96x32x32 batch norm) and it has no CPU {@code dnnl_fuse_norm_add_relu} at all.
 *
 * <p>Inference, and training over features (N x F), stay on oneDNN: the batch norm, then a relu in
 * place or one binary add with a relu post-op; backward masks dy into pooled scratch first.
 */
final class BatchNormOps {
    /** Which of the three forward forms. */
    enum Fusion { NONE, RELU, ADD_RELU }

    private final Dnnl dnnl;
    private final MemoryPool pool;
    private final ElementwiseOps elementwise;
    private final PrimitiveCache.Table<BatchNorm, Primitive> forwardTrainingCache;
    /** The op over tensors stored in one format. */
    private record Key(BatchNorm op, Format format) {
    }

    private final PrimitiveCache.Table<Key, Primitive> forwardInferenceCache;
    private final PrimitiveCache.Table<BatchNorm, Primitive> backwardCache;
    /**
     * The channels-last loops' per-thread sums: one buffer outside the pool, grown to the largest
     * channel count seen and held until the backend closes. Not from the pool: a small transient
     * block taken per call could end up owned by a tensor allocated in between (making the next step
     * allocate again), and a pool block held for the backend's life would count as a tensor in use.
     */
    private org.bytedeco.javacpp.BytePointer nhwcScratch;
    private long nhwcScratchBytes;

    BatchNormOps(Dnnl dnnl, PrimitiveCache cache, MemoryPool pool, ElementwiseOps elementwise) {
        this.dnnl = dnnl;
        this.pool = pool;
        this.elementwise = elementwise;
        this.forwardTrainingCache = cache.table(op -> build(op, dnnl_forward_training, Format.PLAIN));
        this.forwardInferenceCache = cache.table(k -> build(k.op(), dnnl_forward_inference, k.format()));
        this.backwardCache = cache.table(this::buildBackward);
    }

    void forwardTraining(BatchNorm op, Fusion fusion, Tensor x, Tensor residual, BatchNormParams p, Tensor y, Tensor saved) {
        check(op, fusion, x, residual, p, y);
        Checks.tensor(BatchNorm.OP, "saved", saved, op.savedShape());
        long mean = saved.address();
        long variance = mean + 4L * op.channels();
        if (x.layout() == Layout.NHWC) {
            long[] d = op.input().dims();
            CpuKernels.batchNormForwardTrainingNhwc(x.address(), p.gamma().address(), p.beta().address(),
                    fusion == Fusion.ADD_RELU ? residual.address() : 0, fusion != Fusion.NONE, y.address(),
                    mean, variance, d[0] * d[2] * d[3], d[1], op.epsilon(), x.dtype() == DType.BF16,
                    nhwcScratch(d[1]));
        } else if (nativeKernel(op)) {
            long[] d = op.input().dims();
            CpuKernels.batchNormForwardTraining(x.address(), p.gamma().address(), p.beta().address(),
                    fusion == Fusion.ADD_RELU ? residual.address() : 0, fusion != Fusion.NONE, y.address(),
                    mean, variance, d[0], d[1], d[2] * d[3], op.epsilon());
        } else {
            Primitive prim = forwardTrainingCache.get(op);
            prim.execute(x.address(), p.gamma().address(), p.beta().address(), mean, variance, y.address());
            if (fusion == Fusion.ADD_RELU) {
                elementwise.addRelu(y, residual, y);
            } else if (fusion == Fusion.RELU) {
                elementwise.reluForward(y, y);
            }
        }
        CpuKernels.movingAverage(p.movingMean().address(), mean, op.channels(), op.momentum());
        CpuKernels.movingAverage(p.movingVariance().address(), variance, op.channels(), op.momentum());
    }

    void forwardInference(BatchNorm op, Fusion fusion, Tensor x, Tensor residual, BatchNormParams p, Tensor y) {
        check(op, fusion, x, residual, p, y);
        if (fusion == Fusion.ADD_RELU) {
            forwardInference(op, Fusion.NONE, x, null, p, y);
            elementwise.addRelu(y, residual, y);
            return;
        }
        if (fusion == Fusion.RELU) {
            forwardInference(op, Fusion.NONE, x, null, p, y);
            elementwise.reluForward(y, y);
            return;
        }
        Primitive prim = forwardInferenceCache.get(new Key(op, Format.of(x)));
        prim.execute(x.address(), p.gamma().address(), p.beta().address(), p.movingMean().address(),
                p.movingVariance().address(), y.address());
    }

    /** Plain backward: dx, dgamma, dbeta from dy. */
    void backward(BatchNorm op, Tensor x, Tensor dy, BatchNormParams p, Tensor saved, Tensor dx, Tensor dgamma, Tensor dbeta) {
        Checks.activation(BatchNorm.OP, "dy", dy, op.input());
        op.checkBackward(x, p, saved, dx, dgamma, dbeta);
        formats(x, dy, dx);
        if (nativeKernel(op)) {
            backwardNative(op, x, 0, dy.address(), p, saved, dx, 0, dgamma, dbeta);
        } else {
            backwardOneDnn(op, x, dy.address(), p, saved, dx, dgamma, dbeta);
        }
    }

    /** Backward of relu(bn(x)): dy masked by y > 0, then the batch-norm backward. */
    void backwardRelu(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                      Tensor dx, Tensor dgamma, Tensor dbeta) {
        Checks.activation(BatchNorm.OP, "y", y, op.input());
        Checks.activation(BatchNorm.OP, "dy", dy, op.input());
        op.checkBackward(x, p, saved, dx, dgamma, dbeta);
        formats(x, y, dy, dx);
        if (nativeKernel(op)) {
            backwardNative(op, x, y.address(), dy.address(), p, saved, dx, 0, dgamma, dbeta);
            return;
        }
        try (Block masked = pool.allocate(dy.bytes())) {
            CpuKernels.reluBackward(y.address(), dy.address(), masked.address(), dy.size());
            backwardOneDnn(op, x, masked.address(), p, saved, dx, dgamma, dbeta);
        }
    }

    /** Backward of relu(bn(x) + residual): the masked gradient is the residual's gradient and feeds bn backward. */
    void backwardAddRelu(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                         Tensor dx, Tensor dresidual, Tensor dgamma, Tensor dbeta) {
        Checks.activation(BatchNorm.OP, "y", y, op.input());
        Checks.activation(BatchNorm.OP, "dy", dy, op.input());
        Checks.activation(BatchNorm.OP, "dresidual", dresidual, op.input());
        op.checkBackward(x, p, saved, dx, dgamma, dbeta);
        formats(x, y, dy, dx, dresidual);
        if (nativeKernel(op)) {
            backwardNative(op, x, y.address(), dy.address(), p, saved, dx, dresidual.address(), dgamma, dbeta);
            return;
        }
        CpuKernels.reluBackward(y.address(), dy.address(), dresidual.address(), dy.size());
        backwardOneDnn(op, x, dresidual.address(), p, saved, dx, dgamma, dbeta);
    }

    private void backwardNative(BatchNorm op, Tensor x, long y, long dy, BatchNormParams p, Tensor saved,
                                       Tensor dx, long dresidual, Tensor dgamma, Tensor dbeta) {
        long[] d = op.input().dims();
        long mean = saved.address();
        if (x.layout() == Layout.NHWC) {
            CpuKernels.batchNormBackwardNhwc(x.address(), y, dy, mean, mean + 4L * op.channels(),
                    p.gamma().address(), dx.address(), dresidual, dgamma.address(), dbeta.address(),
                    d[0] * d[2] * d[3], d[1], op.epsilon(), x.dtype() == DType.BF16, nhwcScratch(d[1]));
            return;
        }
        CpuKernels.batchNormBackward(x.address(), y, dy, mean, mean + 4L * op.channels(), p.gamma().address(),
                dx.address(), dresidual, dgamma.address(), dbeta.address(), d[0], d[1], d[2] * d[3], op.epsilon());
    }

    private void backwardOneDnn(BatchNorm op, Tensor x, long dy, BatchNormParams p, Tensor saved,
                                Tensor dx, Tensor dgamma, Tensor dbeta) {
        Primitive prim = backwardCache.get(op);
        long mean = saved.address();
        prim.execute(x.address(), mean, mean + 4L * op.channels(), dy, p.gamma().address(),
                dx.address(), dgamma.address(), dbeta.address());
    }

    /** The address of scratch for the channels-last loops over c channels (grown on first need). */
    private long nhwcScratch(long c) {
        long need = CpuKernels.batchNormNhwcScratchBytes(c);
        if (need > nhwcScratchBytes) {
            org.bytedeco.javacpp.BytePointer p = new org.bytedeco.javacpp.BytePointer(need);
            if (p.isNull()) {
                throw new org.convnet4j.memory.PoolOutOfMemoryException("host (batch-norm scratch)", need,
                        pool.stats(), "malloc refused the channels-last batch norm's per-thread sums");
            }
            closeScratch();
            nhwcScratch = p;
            nhwcScratchBytes = need;
        }
        return nhwcScratch.address();
    }

    private void closeScratch() {
        if (nhwcScratch != null) {
            nhwcScratch.close();
            nhwcScratch = null;
            nhwcScratchBytes = 0;
        }
    }

    /** Frees what this family holds outside the primitive cache and the pool. */
    void close() {
        closeScratch();
    }

    /**
     * Images (N x C x H x W) train on our native loops (batch_norm.cpp: about twice oneDNN's plain-NCHW
     * speed here, the relu and residual add in the same passes); features (N x F) on oneDNN.
     */
    private static boolean nativeKernel(BatchNorm op) {
        return op.input().rank() == 4;
    }

    private static void check(BatchNorm op, Fusion fusion, Tensor x, Tensor residual, BatchNormParams p, Tensor y) {
        op.checkForward(x, residual, fusion == Fusion.ADD_RELU, p, y);
        if (fusion == Fusion.ADD_RELU) {
            formats(x, y, residual);
        } else {
            formats(x, y);
        }
    }

    /**
     * The activations of one call share a format, and it is one this family computes: NHWC in FP32 or
     * BF16 (the channels-last loops), NCHW in FP32 (the NCHW loops, oneDNN for features).
     */
    private static void formats(Tensor... ts) {
        Format f = Format.of(ts[0]);
        for (Tensor t : ts) {
            Formats.same(BatchNorm.OP, ts[0], t);
        }
        if (f.layout() == Layout.NCHW && f.dtype() != DType.FP32) {
            throw new IllegalArgumentException(BatchNorm.OP + ": " + f.dtype() + " activations must be stored NHWC. Received "
                    + ts[0]);
        }
    }

    private static int flags(int prop) {
        int f = dnnl_use_scale | dnnl_use_shift;
        return prop == dnnl_forward_inference ? f | dnnl_use_global_stats : f;
    }

    private dnnl_primitive_desc forwardDesc(DnnlScope s, BatchNorm op, int prop, Format f) {
        dnnl_memory_desc src = s.of(op.input(), f);
        return s.primitiveDesc("dnnl_batch_normalization_forward_primitive_desc_create",
                pd -> dnnl_batch_normalization_forward_primitive_desc_create(pd, dnnl.engine, prop, src, src,
                        op.epsilon(), flags(prop), null));
    }

    private Primitive build(BatchNorm op, int prop, Format f) {
        try (DnnlScope s = new DnnlScope(op)) {
            return new Primitive(dnnl, op, s.release(forwardDesc(s, op, prop, f)),
                    DNNL_ARG_SRC, DNNL_ARG_SCALE, DNNL_ARG_SHIFT, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DST);
        }
    }

    private Primitive buildBackward(BatchNorm op) {
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_primitive_desc hint = forwardDesc(s, op, dnnl_forward_training, Format.PLAIN);
            dnnl_memory_desc md = s.plain(op.input());
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_batch_normalization_backward_primitive_desc_create",
                    p -> dnnl_batch_normalization_backward_primitive_desc_create(p, dnnl.engine, dnnl_backward, md, md, md,
                            op.epsilon(), dnnl_use_scale | dnnl_use_shift, hint, null));
            return new Primitive(dnnl, op, s.release(pd), DNNL_ARG_SRC, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DIFF_DST,
                    DNNL_ARG_SCALE, DNNL_ARG_DIFF_SRC, DNNL_ARG_DIFF_SCALE, DNNL_ARG_DIFF_SHIFT);
        }
    }
}
