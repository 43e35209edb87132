package org.convnet4j.backend.cuda;

import org.bytedeco.cuda.cudnn.cudnnPoolingStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.convnet4j.ops.GlobalAvgPool;
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.PoolMode;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Pooling. cuDNN (max, and average excluding padded cells as Keras counts) whenever padding by (top,
 * left) on both sides gives the op's output size; the asymmetric TF "same" cases cuDNN cannot express
 * run our direct kernels {@code c4j_pool2d_f32} / {@code c4j_pool2d_backward_f32} (backward in gather
 * form, no atomics). Global average pooling is one warp per (sample, channel) row
 * ({@code c4j_global_avg_pool_f32}) and its backward a broadcast.
 *
 * <p>BF16/FP16 NHWC activations: cuDNN pools them natively (NHWC descriptors of their type); the
 * padded cases it cannot express run {@code c4j_pool2d_nhwc_<type>} / {@code
 * c4j_pool2d_backward_nhwc_<type>} (the same window arithmetic over one channel, cells channels
 * apart), and global pooling {@code c4j_global_avg_pool_nhwc_<type>} into FP32 features, and back.
 */
final class PoolOps implements AutoCloseable {
    private final CudaContext ctx;
    private final Kernels kernels;
    private final Plans<Key, Plan> plans = new Plans<>(Plan::new);

    /** A plan per op and activation type (FP32 NCHW, BF16/FP16 NHWC). */
    private record Key(Pool2d op, DType type) {
    }

    PoolOps(CudaContext ctx, Kernels kernels) {
        this.ctx = ctx;
        this.kernels = kernels;
    }

    void forward(Pool2d op, Tensor x, Tensor y) {
        op.checkForward(x, y);
        Plan p = plan(op, x.dtype());
        if (p.pooling == null) {
            if (Formats.half(x.dtype())) {
                direct(Formats.kernel("c4j_pool2d_nhwc", x.dtype()), op, op.outputShape().size(), true, x, y);
                return;
            }
            direct("c4j_pool2d_f32", op, op.outputShape().size(), false, x, y);
            return;
        }
        CudaStatus.cudnn(cudnn.cudnnPoolingForward(ctx.cudnn(), p.pooling, ctx.one(), p.x, DevicePointer.of(x), ctx.zero(),
                p.y, DevicePointer.of(y)), "cudnnPoolingForward", op);
    }

    void backward(Pool2d op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        op.checkBackward(x, y, dy, dx);
        Plan p = plan(op, x.dtype());
        if (p.pooling == null) {
            if (Formats.half(x.dtype())) {
                direct(Formats.kernel("c4j_pool2d_backward_nhwc", x.dtype()), op, op.input().size(), true, x, y, dy, dx);
                return;
            }
            direct("c4j_pool2d_backward_f32", op, op.input().size(), false, x, y, dy, dx);
            return;
        }
        CudaStatus.cudnn(cudnn.cudnnPoolingBackward(ctx.cudnn(), p.pooling, ctx.one(), p.y, DevicePointer.of(y), p.y,
                DevicePointer.of(dy), p.x, DevicePointer.of(x), ctx.zero(), p.x, DevicePointer.of(dx)),
                "cudnnPoolingBackward", op);
    }

    void globalForward(GlobalAvgPool op, Tensor x, Tensor y) {
        op.checkForward(x, y);
        Shape s = op.input();
        if (Formats.half(x.dtype())) {
            kernels.elementwise(Formats.kernel("c4j_global_avg_pool_nhwc", x.dtype()), s.dim(0) * s.dim(1)).ptr(x)
                    .ptr(y).i64(s.dim(0)).i32(s.intDim(1)).i64(s.dim(2) * s.dim(3)).go(op);
            return;
        }
        long rows = s.dim(0) * s.dim(1);
        kernels.launch("c4j_global_avg_pool_f32", (int) ((rows + 3) / 4), 128).ptr(x).ptr(y).i64(rows)
                .i64(s.dim(2) * s.dim(3)).go(op);
    }

    void globalBackward(GlobalAvgPool op, Tensor dy, Tensor dx) {
        op.checkBackward(dy, dx);
        Shape s = op.input();
        if (Formats.half(dx.dtype())) {
            kernels.elementwise(Formats.kernel("c4j_global_avg_pool_backward_nhwc", dx.dtype()), s.size()).ptr(dy)
                    .ptr(dx).i64(s.dim(0)).i32(s.intDim(1)).i64(s.dim(2) * s.dim(3)).go(op);
            return;
        }
        kernels.elementwise("c4j_global_avg_pool_backward_f32", s.size()).ptr(dy).ptr(dx).i64(s.dim(0) * s.dim(1))
                .i64(s.dim(2) * s.dim(3)).go(op);
    }

    /** One launch of a direct pooling kernel: the tensors, then the geometry, as native/cuda/README.md tables them. */
    private void direct(String kernel, Pool2d op, long n, boolean nhwc, Tensor... tensors) {
        Kernels.Launch l = kernels.elementwise(kernel, n);
        for (Tensor t : tensors) {
            l.ptr(t);
        }
        Shape in = op.input();
        Shape out = op.outputShape();
        Pads pads = op.pads();
        if (nhwc) {
            l.i32(in.intDim(0)).i32(in.intDim(1)); // NHWC kernels: n and channels apart
        } else {
            l.i32(Math.toIntExact(in.dim(0) * in.dim(1)));
        }
        l.i32(in.intDim(2)).i32(in.intDim(3)).i32(out.intDim(2))
                .i32(out.intDim(3)).i32(op.window().h()).i32(op.window().w()).i32(op.stride().h())
                .i32(op.stride().w()).i32(pads.top()).i32(pads.left()).i32(op.mode() == PoolMode.MAX ? 0 : 1)
                .go(op);
    }

    private Plan plan(Pool2d op, DType type) {
        return plans.get(new Key(op, type));
    }

    @Override
    public void close() {
        plans.close();
    }

    private static final class Plan extends Plans.Plan {
        /** cuDNN's pooling descriptor, or null when the padding needs the direct kernels. */
        final cudnnPoolingStruct pooling;
        final cudnnTensorStruct x;
        final cudnnTensorStruct y;

        Plan(Key key) {
            super(key.op());
            Pool2d op = key.op();
            Layout layout = Formats.layoutOf(key.type());
            Pads p = op.pads();
            Shape in = op.input();
            Shape out = op.outputShape();
            boolean exact = length(in.dim(2), op.window().h(), op.stride().h(), p.top()) == out.dim(2)
                    && length(in.dim(3), op.window().w(), op.stride().w(), p.left()) == out.dim(3);
            if (exact) {
                int mode = op.mode() == PoolMode.MAX ? cudnn.CUDNN_POOLING_MAX : cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
                pooling = descriptors.pooling(mode, op.window().h(), op.window().w(), p.top(), p.left(),
                        op.stride().h(), op.stride().w());
                x = descriptors.tensor(in, key.type(), layout);
                y = descriptors.tensor(out, key.type(), layout);
            } else {
                pooling = null;
                x = null;
                y = null;
            }
        }
    }

    private static long length(long in, int k, int s, int p) {
        long span = in + 2L * p - k;
        return span < 0 ? 0 : 1 + span / s;
    }
}
