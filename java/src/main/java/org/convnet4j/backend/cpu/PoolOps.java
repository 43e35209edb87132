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
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Max and average pooling, and global average pooling as an average over the whole plane.
 *
 * <p>oneDNN's max-pool backward needs the argmax workspace of a training forward pass. The backend
 * interface keeps forward and backward free of hidden state, so the backward pass re-runs the forward
 * pass into a pooled scratch output to get the workspace: one extra memory-bound pass, no state held
 * between calls.
 */
final class PoolOps {
    private final Dnnl dnnl;
    private final MemoryPool pool;
    /** Forward without a workspace (what the caller's forward runs). */
    private final PrimitiveCache.Table<Pool2d, Primitive> forwardInferenceCache;
    /** Forward with the max-pool workspace, re-run by the backward pass. */
    private final PrimitiveCache.Table<Pool2d, Primitive> forwardTrainingCache;
    private final PrimitiveCache.Table<Pool2d, Primitive> backwardCache;

    PoolOps(Dnnl dnnl, PrimitiveCache cache, MemoryPool pool) {
        this.dnnl = dnnl;
        this.pool = pool;
        this.forwardInferenceCache = cache.table(op -> buildForward(op, dnnl_forward_inference));
        this.forwardTrainingCache = cache.table(op -> buildForward(op, dnnl_forward_training));
        this.backwardCache = cache.table(this::buildBackward);
    }

    void forward(Pool2d op, Tensor x, Tensor y) {
        op.checkForward(x, y);
        Primitive p = forwardInferenceCache.get(op);
        p.execute(x.address(), y.address());
        if (op.mode() == PoolMode.MAX) {
            // oneDNN's max instruction drops a NaN; a window holding one must give NaN, as in cuDNN
            // with CUDNN_PROPAGATE_NAN (one scan of x when it holds none).
            Shape in = op.input();
            Shape out = op.outputShape();
            CpuKernels.maxPoolPropagateNaN(x.address(), y.address(), in.dim(0) * in.dim(1), in.intDim(2), in.intDim(3),
                    out.intDim(2), out.intDim(3), op.window().h(), op.window().w(), op.stride().h(), op.stride().w(),
                    op.pads().top(), op.pads().left());
        }
    }

    void backward(Pool2d op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        op.checkBackward(x, y, dy, dx);
        Primitive bwd = backwardCache.get(op);
        if (op.mode() == PoolMode.AVERAGE) {
            bwd.execute(dy.address(), dx.address());
            return;
        }
        Primitive fwd = forwardTrainingCache.get(op);
        try (Block scratch = pool.allocate(y.bytes()); Block ws = pool.allocate(fwd.workspaceBytes())) {
            fwd.execute(x.address(), scratch.address(), ws.address());
            bwd.execute(dy.address(), ws.address(), dx.address());
        }
    }

    void globalForward(GlobalAvgPool op, Tensor x, Tensor y) {
        op.checkForward(x, y);
        forward(asPool(op), x, y.reshape(asPool(op).outputShape()));
    }

    void globalBackward(GlobalAvgPool op, Tensor dy, Tensor dx) {
        op.checkBackward(dy, dx);
        Pool2d p = asPool(op);
        Primitive bwd = backwardCache.get(p);
        bwd.execute(dy.address(), dx.address());
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

    private dnnl_primitive_desc forwardDesc(DnnlScope s, Pool2d op, int prop) {
        Geometry g = Geometry.of(op);
        dnnl_memory_desc src = s.plain(op.input());
        dnnl_memory_desc dst = s.plain(op.outputShape());
        return s.primitiveDesc("dnnl_pooling_forward_primitive_desc_create",
                pd -> dnnl_pooling_forward_primitive_desc_create(pd, dnnl.engine, prop, algorithm(op), src, dst,
                        g.strides, g.kernel, g.dilation, g.padL, g.padR, null));
    }

    private Primitive buildForward(Pool2d op, int prop) {
        boolean workspace = prop == dnnl_forward_training && op.mode() == PoolMode.MAX;
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_primitive_desc pd = s.release(forwardDesc(s, op, prop));
            return workspace ? new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_DST, DNNL_ARG_WORKSPACE)
                    : new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_DST);
        }
    }

    private Primitive buildBackward(Pool2d op) {
        Geometry g = Geometry.of(op);
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_primitive_desc hint = forwardDesc(s, op, dnnl_forward_training);
            dnnl_memory_desc dsrc = s.plain(op.input());
            dnnl_memory_desc ddst = s.plain(op.outputShape());
            dnnl_primitive_desc pd = s.release(s.primitiveDesc("dnnl_pooling_backward_primitive_desc_create",
                    p -> dnnl_pooling_backward_primitive_desc_create(p, dnnl.engine, algorithm(op), dsrc, ddst,
                            g.strides, g.kernel, g.dilation, g.padL, g.padR, hint, null)));
            return op.mode() == PoolMode.MAX
                    ? new Primitive(dnnl, op, pd, DNNL_ARG_DIFF_DST, DNNL_ARG_WORKSPACE, DNNL_ARG_DIFF_SRC)
                    : new Primitive(dnnl, op, pd, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC);
        }
    }
}
