package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convnet4j.memory.Block;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Checks;
import org.convnet4j.tensor.Tensor;

/**
 * Batch normalization on oneDNN, plain and in its two fused forms, which on this backend are two
 * passes each: the batch norm, then a relu in place ({@code relu(bn(x))}) or one binary add with a
 * relu post-op in place ({@code relu(bn(x) + residual)}). Measured, not assumed: oneDNN 3.13's
 * {@code dnnl_fuse_norm_relu} on plain NCHW FP32 takes a slow path (10.9 ms against 3.4 ms for the
 * two passes on AlexNet8's 32x96x32x32 batch norm, docs/BENCHMARKS.md), and it has no CPU
 * implementation of {@code dnnl_fuse_norm_add_relu} at all (dnnl_unimplemented). These compositions
 * are the CPU implementation of the fused ops, chosen once, not a fallback taken at run time.
 *
 * <p>The fused backward passes apply the relu mask from the forward output y (our native
 * reluBackward) and then the plain batch-norm backward, rather than oneDNN's fused backward, which
 * would need the forward's bit-mask workspace carried between calls.
 */
final class BatchNormOps {
    /** Which of the three forward forms. */
    enum Fusion { NONE, RELU, ADD_RELU }

    private final Dnnl dnnl;
    private final PrimitiveCache cache;
    private final MemoryPool pool;
    private final ElementwiseOps elementwise;

    BatchNormOps(Dnnl dnnl, PrimitiveCache cache, MemoryPool pool, ElementwiseOps elementwise) {
        this.dnnl = dnnl;
        this.cache = cache;
        this.pool = pool;
        this.elementwise = elementwise;
    }

    void forwardTraining(BatchNorm op, Fusion fusion, Tensor x, Tensor residual, BatchNormParams p, Tensor y, Tensor saved) {
        check(op, fusion, x, residual, p, y);
        if (fusion == Fusion.ADD_RELU) {
            forwardTraining(op, Fusion.NONE, x, null, p, y, saved);
            elementwise.addRelu(y, residual, y);
            return;
        }
        if (fusion == Fusion.RELU) {
            forwardTraining(op, Fusion.NONE, x, null, p, y, saved);
            elementwise.reluForward(y, y);
            return;
        }
        Checks.tensor(BatchNorm.OP, "saved", saved, op.savedShape());
        Primitive prim = cache.get(new Key("bn_fwd_training", op, false), () -> build(op, dnnl_forward_training));
        long mean = saved.address();
        long variance = mean + 4L * op.channels();
        prim.execute(x.address(), p.gamma().address(), p.beta().address(), mean, variance, y.address());
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
        Primitive prim = cache.get(new Key("bn_fwd_inference", op, false), () -> build(op, dnnl_forward_inference));
        prim.execute(x.address(), p.gamma().address(), p.beta().address(), p.movingMean().address(),
                p.movingVariance().address(), y.address());
    }

    /** Plain backward: dx, dgamma, dbeta from dy. */
    void backward(BatchNorm op, Tensor x, Tensor dy, BatchNormParams p, Tensor saved, Tensor dx, Tensor dgamma, Tensor dbeta) {
        Checks.tensor(BatchNorm.OP, "dy", dy, op.input());
        backwardFrom(op, x, dy.address(), p, saved, dx, dgamma, dbeta);
    }

    /** Backward of relu(bn(x)), masking dy by y > 0 into a scratch buffer first. */
    void backwardRelu(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                      Tensor dx, Tensor dgamma, Tensor dbeta) {
        Checks.tensor(BatchNorm.OP, "y", y, op.input());
        Checks.tensor(BatchNorm.OP, "dy", dy, op.input());
        try (Block masked = pool.allocate(dy.bytes())) {
            CpuKernels.reluBackward(y.address(), dy.address(), masked.address(), dy.size());
            backwardFrom(op, x, masked.address(), p, saved, dx, dgamma, dbeta);
        }
    }

    /** Backward of relu(bn(x) + residual): the masked gradient is the residual's gradient and feeds bn backward. */
    void backwardAddRelu(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                         Tensor dx, Tensor dresidual, Tensor dgamma, Tensor dbeta) {
        Checks.tensor(BatchNorm.OP, "y", y, op.input());
        Checks.tensor(BatchNorm.OP, "dy", dy, op.input());
        Checks.tensor(BatchNorm.OP, "dresidual", dresidual, op.input());
        CpuKernels.reluBackward(y.address(), dy.address(), dresidual.address(), dy.size());
        backwardFrom(op, x, dresidual.address(), p, saved, dx, dgamma, dbeta);
    }

    private void backwardFrom(BatchNorm op, Tensor x, long dy, BatchNormParams p, Tensor saved,
                              Tensor dx, Tensor dgamma, Tensor dbeta) {
        op.checkBackward(x, p, saved, dx, dgamma, dbeta);
        Primitive prim = cache.get(new Key("bn_bwd", op, false), () -> buildBackward(op));
        long mean = saved.address();
        prim.execute(x.address(), mean, mean + 4L * op.channels(), dy, p.gamma().address(),
                dx.address(), dgamma.address(), dbeta.address());
    }

    private static void check(BatchNorm op, Fusion fusion, Tensor x, Tensor residual, BatchNormParams p, Tensor y) {
        op.checkForward(x, residual, fusion == Fusion.ADD_RELU, p, y);
    }

    private static int flags(int prop) {
        int f = dnnl_use_scale | dnnl_use_shift;
        return prop == dnnl_forward_inference ? f | dnnl_use_global_stats : f;
    }

    private dnnl_primitive_desc forwardDesc(BatchNorm op, int prop) {
        dnnl_memory_desc src = Dnnl.plain(op.input(), op);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            Dnnl.check(dnnl_batch_normalization_forward_primitive_desc_create(pd, dnnl.engine, prop, src, src,
                    op.epsilon(), flags(prop), null), "dnnl_batch_normalization_forward_primitive_desc_create", op);
            return pd;
        } finally {
            Dnnl.destroy(src);
        }
    }

    private Primitive build(BatchNorm op, int prop) {
        return new Primitive(dnnl, op, forwardDesc(op, prop),
                DNNL_ARG_SRC, DNNL_ARG_SCALE, DNNL_ARG_SHIFT, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DST);
    }

    private Primitive buildBackward(BatchNorm op) {
        dnnl_primitive_desc hint = forwardDesc(op, dnnl_forward_training);
        dnnl_memory_desc md = Dnnl.plain(op.input(), op);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            Dnnl.check(dnnl_batch_normalization_backward_primitive_desc_create(pd, dnnl.engine, dnnl_backward, md, md, md,
                    op.epsilon(), dnnl_use_scale | dnnl_use_shift, hint, null),
                    "dnnl_batch_normalization_backward_primitive_desc_create", op);
            return new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DIFF_DST,
                    DNNL_ARG_SCALE, DNNL_ARG_DIFF_SRC, DNNL_ARG_DIFF_SCALE, DNNL_ARG_DIFF_SHIFT);
        } finally {
            Dnnl.destroy(md);
            dnnl_primitive_desc_destroy(hint);
        }
    }
}
