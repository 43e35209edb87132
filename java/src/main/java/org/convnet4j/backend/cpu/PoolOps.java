package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convnet4j.memory.Block;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.GlobalAvgPool;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.PoolMode;
import org.convnet4j.ops.Size2;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Max and average pooling, and global average pooling as an average over the whole plane.
 *
 * <p>oneDNN's max-pool backward needs the argmax workspace of a training forward pass. The backend
 * interface keeps forward and backward free of hidden state, so the backward pass re-runs the forward
 * pass into a pooled scratch output to get the workspace: one extra memory-bound pass, no state held
 * between calls.
 *
 * <p>Tensors may be stored FP32 or BF16, NCHW or NHWC ({@link Format}): the primitive reads x as it is
 * stored and writes its output in x's type and y's layout; where y's type differs (a global average
 * pool of BF16 features into FP32 logits' input) a {@link Staged} reorder converts it.
 */
final class PoolOps {
    /** The op for x and y stored in these formats. */
    private record Key(Pool2d op, Format x, Format y) {
    }

    private final Dnnl dnnl;
    private final MemoryPool pool;
    /** Forward without a workspace (what the caller's forward runs). */
    private final PrimitiveCache.Table<Key, Staged> forwardInferenceCache;
    /** Forward with the max-pool workspace, re-run by the backward pass; its output stays in x's format. */
    private final PrimitiveCache.Table<Key, Staged> forwardTrainingCache;
    /** Backward, keyed by the formats of dx (as x) and dy (as y). */
    private final PrimitiveCache.Table<Key, Staged> backwardCache;

    PoolOps(Dnnl dnnl, PrimitiveCache cache, MemoryPool pool) {
        this.dnnl = dnnl;
        this.pool = pool;
        this.forwardInferenceCache = cache.table(k -> buildForward(k, dnnl_forward_inference));
        this.forwardTrainingCache = cache.table(k -> buildForward(k, dnnl_forward_training));
        this.backwardCache = cache.table(this::buildBackward);
    }

    void forward(Pool2d op, Tensor x, Tensor y) {
        op.checkForward(x, y);
        Staged p = forwardInferenceCache.get(new Key(op, Format.of(x), Format.of(y)));
        p.execute(pool, x.address(), y.address());
        if (op.mode() == PoolMode.MAX) {
            // oneDNN's max instruction drops a NaN; a window holding one must give NaN, as in cuDNN
            // with CUDNN_PROPAGATE_NAN (one scan of x when it holds none).
            Shape in = op.input();
            Shape out = op.outputShape();
            if (x.layout() == Layout.NCHW && x.dtype() == DType.FP32 && y.dtype() == DType.FP32
                    && y.layout() == Layout.NCHW) {
                CpuKernels.maxPoolPropagateNaN(x.address(), y.address(), in.dim(0) * in.dim(1), in.intDim(2),
                        in.intDim(3), out.intDim(2), out.intDim(3), op.window().h(), op.window().w(), op.stride().h(),
                        op.stride().w(), op.pads().top(), op.pads().left());
            } else {
                Formats.same(Pool2d.OP, x, y);
                CpuKernels.maxPoolPropagateNaNAny(x.address(), y.address(), in.dim(0), in.dim(1), in.intDim(2),
                        in.intDim(3), out.intDim(2), out.intDim(3), op.window().h(), op.window().w(), op.stride().h(),
                        op.stride().w(), op.pads().top(), op.pads().left(), x.layout() == Layout.NHWC,
                        x.dtype() == DType.BF16);
            }
        }
    }

    void backward(Pool2d op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        op.checkBackward(x, y, dy, dx);
        Staged bwd = backwardCache.get(new Key(op, Format.of(dx), Format.of(dy)));
        if (op.mode() == PoolMode.AVERAGE) {
            bwd.execute(pool, dy.address(), dx.address());
            return;
        }
        Format xf = Format.of(x);
        Staged fwd = forwardTrainingCache.get(new Key(op, xf, xf));
        long scratchBytes = op.outputShape().size() * x.dtype().bytes();
        try (Block scratch = pool.allocate(scratchBytes); Block ws = pool.allocate(fwd.workspaceBytes())) {
            fwd.execute(pool, x.address(), scratch.address(), ws.address());
            bwd.execute(pool, dy.address(), ws.address(), dx.address());
        }
    }

    void globalForward(GlobalAvgPool op, Tensor x, Tensor y) {
        op.checkForward(x, y);
        forward(asPool(op), x, y.reshape(asPool(op).outputShape()));
    }

    void globalBackward(GlobalAvgPool op, Tensor dy, Tensor dx) {
        op.checkBackward(dy, dx);
        Pool2d p = asPool(op);
        Tensor dy4 = dy.reshape(p.outputShape());
        Staged bwd = backwardCache.get(new Key(p, Format.of(dx), Format.of(dy4)));
        bwd.execute(pool, dy4.address(), dx.address());
    }

    private static Pool2d asPool(GlobalAvgPool op) {
        Size2 plane = Size2.of(op.input().intDim(2), op.input().intDim(3));
        return new Pool2d(op.input(), PoolMode.AVERAGE, plane, Size2.of(1), Padding.VALID);
    }

    private static int algorithm(Pool2d op) {
        // Keras averages over the cells inside the image only.
        return op.mode() == PoolMode.MAX ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding;
    }

    private record Geometry(long[] strides, long[] kernel, long[] dilation, long[] padL, long[] padR) {
        static Geometry of(Pool2d op) {
            Pads p = op.pads();
            return new Geometry(new long[] {op.stride().h(), op.stride().w()}, new long[] {op.window().h(), op.window().w()},
                    new long[] {0, 0}, new long[] {p.top(), p.left()}, new long[] {p.bottom(), p.right()});
        }
    }

    /** Source as x is stored; destination in x's type and y's layout. */
    private dnnl_primitive_desc forwardDesc(DnnlScope s, Pool2d op, int prop, Format x, Format y) {
        Geometry g = Geometry.of(op);
        dnnl_memory_desc src = s.of(op.input(), x);
        dnnl_memory_desc dst = s.of(op.outputShape(), y.with(x.dtype()));
        return s.primitiveDesc("dnnl_pooling_forward_primitive_desc_create",
                pd -> dnnl_pooling_forward_primitive_desc_create(pd, dnnl.engine, prop, algorithm(op), src, dst,
                        g.strides, g.kernel, g.dilation, g.padL, g.padR, null));
    }

    private Staged buildForward(Key k, int prop) {
        Pool2d op = k.op();
        boolean workspace = prop == dnnl_forward_training && op.mode() == PoolMode.MAX;
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_primitive_desc pd = forwardDesc(s, op, prop, k.x(), k.y());
            dnnl_memory_desc src = s.of(op.input(), k.x());
            dnnl_memory_desc dst = s.of(op.outputShape(), k.y());
            return workspace
                    ? new Staged(dnnl, op, s.release(pd), new int[] {DNNL_ARG_SRC, DNNL_ARG_DST, DNNL_ARG_WORKSPACE},
                            new dnnl_memory_desc[] {src, dst, null}, new boolean[] {false, true, true})
                    : new Staged(dnnl, op, s.release(pd), new int[] {DNNL_ARG_SRC, DNNL_ARG_DST},
                            new dnnl_memory_desc[] {src, dst}, new boolean[] {false, true});
        }
    }

    /** {@code k.x()}: dx's format, {@code k.y()}: dy's; the primitive's diff_dst is in dx's type and dy's layout. */
    private Staged buildBackward(Key k) {
        Pool2d op = k.op();
        Geometry g = Geometry.of(op);
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_primitive_desc hint = forwardDesc(s, op, dnnl_forward_training, k.x(), k.y());
            dnnl_memory_desc dsrc = s.of(op.input(), k.x());
            dnnl_memory_desc ddst = s.of(op.outputShape(), k.y().with(k.x().dtype()));
            dnnl_primitive_desc pd = s.release(s.primitiveDesc("dnnl_pooling_backward_primitive_desc_create",
                    p -> dnnl_pooling_backward_primitive_desc_create(p, dnnl.engine, algorithm(op), dsrc, ddst,
                            g.strides, g.kernel, g.dilation, g.padL, g.padR, hint, null)));
            dnnl_memory_desc userDdst = s.of(op.outputShape(), k.y());
            return op.mode() == PoolMode.MAX
                    ? new Staged(dnnl, op, pd, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WORKSPACE, DNNL_ARG_DIFF_SRC},
                            new dnnl_memory_desc[] {userDdst, null, dsrc}, new boolean[] {false, false, true})
                    : new Staged(dnnl, op, pd, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC},
                            new dnnl_memory_desc[] {userDdst, dsrc}, new boolean[] {false, true});
        }
    }
}
