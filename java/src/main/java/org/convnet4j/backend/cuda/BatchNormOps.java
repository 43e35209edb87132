package org.convnet4j.backend.cuda;

import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.convnet4j.memory.Block;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Checks;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Batch normalization with Keras' semantics (batch mean and biased variance, moving statistics
 * {@code m * momentum + batch * (1 - momentum)} for both, {@code saved} = [mean; biased variance]).
 *
 * <p>Plain batch norm runs on cuDNN (spatial mode; the legacy API behind this one seam). cuDNN's own
 * running update uses the unbiased variance, so it is asked for none (null running statistics: no
 * read-modify-write, and no NaN from an unbiased variance when N*H*W = 1) and {@code
 * c4j_bn_from_cudnn_f32} turns its saved inverse deviation into our saved variance and applies the
 * Keras update; backward feeds cuDNN the inverse deviation back ({@code c4j_bn_inv_std_f32}).
 *
 * <p>The fused forms are our kernels, because cuDNN's fused batch norm (the Ex API with
 * BN_ACTIVATION / BN_ADD_ACTIVATION) requires NHWC half precision: {@code c4j_bn_stats_f32} (one read
 * of x, per-channel statistics and the moving update) then {@code c4j_bn_apply_f32} (normalize, add
 * the residual, relu: one read and one write); backward {@code c4j_bn_backward_reduce_f32} (masked
 * dy sums, and the residual's gradient) then {@code c4j_bn_backward_data_f32}.
 *
 * <p>BF16/FP16 NHWC activations: plain batch norm runs on cuDNN with NHWC descriptors of their type
 * (the derived parameter descriptor is FP32: gamma, beta and the statistics stay FP32). The fused
 * forms, and plain batch norm with an epsilon cuDNN refuses, are FP32 NCHW kernels only: the backend
 * runs them through {@link Staging} (converted in and out; native NHWC kernels are still to be written).
 */
final class BatchNormOps implements AutoCloseable {
    private final CudaContext ctx;
    private final Kernels kernels;
    private final Plans<Key, Plan> plans = new Plans<>(Plan::new);

    /** A plan per op and activation type (FP32 NCHW, BF16/FP16 NHWC). */
    private record Key(BatchNorm op, DType type) {
    }

    BatchNormOps(CudaContext ctx, Kernels kernels) {
        this.ctx = ctx;
        this.kernels = kernels;
    }

    // ---- plain: cuDNN

    void forwardTraining(BatchNorm op, Tensor x, BatchNormParams p, Tensor y, Tensor saved) {
        op.checkForward(x, null, false, p, y);
        Checks.tensor(BatchNorm.OP, "saved", saved, op.savedShape());
        if (!cudnnAccepts(op)) {
            fusedForwardTraining(op, x, null, p, y, saved, false);
            return;
        }
        Plan plan = plan(op, x.dtype());
        int c = op.channels();
        try (Block invStd = ctx.pool().allocate(4L * c)) {
            CudaStatus.cudnn(cudnn.cudnnBatchNormalizationForwardTraining(ctx.cudnn(), cudnn.CUDNN_BATCHNORM_SPATIAL,
                    ctx.one(), ctx.zero(), plan.x, DevicePointer.of(x), plan.x, DevicePointer.of(y), plan.params,
                    DevicePointer.of(p.gamma()), DevicePointer.of(p.beta()), 0.0, null, null, op.epsilon(), DevicePointer.of(saved),
                    new DevicePointer(invStd.address())), "cudnnBatchNormalizationForwardTraining", op);
            kernels.elementwise("c4j_bn_from_cudnn_f32", c).ptr(invStd.address()).f32(op.epsilon()).f32(op.momentum())
                    .i32(c).ptr(saved).ptr(p.movingMean()).ptr(p.movingVariance()).go(op);
        }
    }

    void forwardInference(BatchNorm op, Tensor x, BatchNormParams p, Tensor y) {
        op.checkForward(x, null, false, p, y);
        if (!cudnnAccepts(op)) {
            apply(op, x, null, p, p.movingMean().address(), p.movingVariance().address(), y, false);
            return;
        }
        Plan plan = plan(op, x.dtype());
        CudaStatus.cudnn(cudnn.cudnnBatchNormalizationForwardInference(ctx.cudnn(), cudnn.CUDNN_BATCHNORM_SPATIAL,
                ctx.one(), ctx.zero(), plan.x, DevicePointer.of(x), plan.x, DevicePointer.of(y), plan.params,
                DevicePointer.of(p.gamma()), DevicePointer.of(p.beta()), DevicePointer.of(p.movingMean()),
                DevicePointer.of(p.movingVariance()), op.epsilon()), "cudnnBatchNormalizationForwardInference", op);
    }

    void backward(BatchNorm op, Tensor x, Tensor dy, BatchNormParams p, Tensor saved, Tensor dx, Tensor dgamma, Tensor dbeta) {
        Checks.activation(BatchNorm.OP, "dy", dy, op.input());
        op.checkBackward(x, p, saved, dx, dgamma, dbeta);
        if (!cudnnAccepts(op)) {
            fusedBackward(op, x, null, dy, p, saved, dx, null, dgamma, dbeta);
            return;
        }
        Plan plan = plan(op, x.dtype());
        int c = op.channels();
        try (Block invStd = ctx.pool().allocate(4L * c)) {
            kernels.elementwise("c4j_bn_inv_std_f32", c).ptr(saved.address() + 4L * c).f32(op.epsilon()).i32(c)
                    .ptr(invStd.address()).go(op);
            CudaStatus.cudnn(cudnn.cudnnBatchNormalizationBackward(ctx.cudnn(), cudnn.CUDNN_BATCHNORM_SPATIAL,
                    ctx.one(), ctx.zero(), ctx.one(), ctx.zero(), plan.x, DevicePointer.of(x), plan.x, DevicePointer.of(dy),
                    plan.x, DevicePointer.of(dx), plan.params, DevicePointer.of(p.gamma()), DevicePointer.of(dgamma),
                    DevicePointer.of(dbeta), op.epsilon(), DevicePointer.of(saved), new DevicePointer(invStd.address())),
                    "cudnnBatchNormalizationBackward", op);
        }
    }

    // ---- fused: our kernels

    void fusedForwardTraining(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p, Tensor y, Tensor saved,
                              boolean relu) {
        op.checkForward(x, residual, residual != null, p, y);
        Checks.tensor(BatchNorm.OP, "saved", saved, op.savedShape());
        Shape s = op.input();
        int c = op.channels();
        kernels.launch("c4j_bn_stats_f32", c, Kernels.THREADS).ptr(x).i32(s.intDim(0)).i32(c).i64(hw(s))
                .f32(op.momentum()).ptr(saved).ptr(p.movingMean()).ptr(p.movingVariance()).go(op);
        apply(op, x, residual, p, saved.address(), saved.address() + 4L * c, y, relu);
    }

    void fusedForwardInference(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p, Tensor y) {
        op.checkForward(x, residual, residual != null, p, y);
        apply(op, x, residual, p, p.movingMean().address(), p.movingVariance().address(), y, true);
    }

    /**
     * Backward of relu(bn(x) [+ residual]) given the forward's output y (null: no relu, plain bn);
     * dresidual (the masked gradient) is written when not null.
     */
    void fusedBackward(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                       Tensor dx, Tensor dresidual, Tensor dgamma, Tensor dbeta) {
        Checks.activation(BatchNorm.OP, "dy", dy, op.input());
        op.checkBackward(x, p, saved, dx, dgamma, dbeta);
        if (y != null) {
            Checks.activation(BatchNorm.OP, "y", y, op.input());
        }
        if (dresidual != null) {
            Checks.activation(BatchNorm.OP, "dresidual", dresidual, op.input());
        }
        Shape s = op.input();
        int c = op.channels();
        kernels.launch("c4j_bn_backward_reduce_f32", c, Kernels.THREADS).ptr(x).ptr(y).ptr(dy).ptr(saved)
                .f32(op.epsilon()).i32(s.intDim(0)).i32(c).i64(hw(s)).ptr(dgamma).ptr(dbeta).ptr(dresidual).go(op);
        kernels.elementwise("c4j_bn_backward_data_f32", s.size()).ptr(x).ptr(y).ptr(dy).ptr(saved).ptr(p.gamma())
                .ptr(dgamma).ptr(dbeta).f32(op.epsilon()).i32(s.intDim(0)).i32(c).i64(hw(s)).i64(s.size()).ptr(dx).go(op);
    }

    private void apply(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p, long mean, long variance, Tensor y,
                       boolean relu) {
        Shape s = op.input();
        kernels.elementwise("c4j_bn_apply_f32", s.size()).ptr(x).ptr(residual).ptr(p.gamma()).ptr(p.beta()).ptr(mean)
                .ptr(variance).f32(op.epsilon()).i32(op.channels()).i64(hw(s)).i64(s.size()).i32(relu ? 1 : 0).ptr(y)
                .go(op);
    }

    /** cuDNN refuses epsilon below CUDNN_BN_MIN_EPSILON; such layers run on our kernels throughout. */
    static boolean cudnnAccepts(BatchNorm op) {
        return op.epsilon() >= cudnn.CUDNN_BN_MIN_EPSILON;
    }

    private static long hw(Shape s) {
        return s.rank() == 4 ? s.dim(2) * s.dim(3) : 1;
    }

    private Plan plan(BatchNorm op, DType type) {
        return plans.get(new Key(op, type));
    }

    @Override
    public void close() {
        plans.close();
    }

    private static final class Plan extends Plans.Plan {
        final cudnnTensorStruct x;
        final cudnnTensorStruct params;

        Plan(Key key) {
            super(key.op());
            x = descriptors.tensor(key.op().input(), key.type(), Formats.layoutOf(key.type()));
            params = descriptors.batchNormParams(x);
        }
    }
}
