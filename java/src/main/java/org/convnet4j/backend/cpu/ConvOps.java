package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.Conv2d;
import org.convnet4j.ops.Pads;
import org.convnet4j.tensor.Tensor;

/**
 * Convolution on oneDNN: forward (optionally with a fused relu post-op), backward-data and
 * backward-filter (with the bias gradient in the same pass). oneDNN picks the layouts its JIT kernels
 * want; {@link Staged} reorders our plain NCHW / OIHW tensors in and out. One staged primitive per
 * (op, pass) is built once and cached.
 */
final class ConvOps {
    /** The forward primitive of {@code op}, with a relu post-op fused in or not. */
    private record Forward(Conv2d op, boolean relu) {
    }

    /** The backward-filter primitive of {@code op}, computing the bias gradient in the same pass or not. */
    private record BackwardFilter(Conv2d op, boolean withBias) {
    }

    private final Dnnl dnnl;
    private final MemoryPool pool;
    private final PrimitiveCache.Table<Forward, Staged> forwardCache;
    private final PrimitiveCache.Table<Conv2d, Staged> backwardDataCache;
    private final PrimitiveCache.Table<BackwardFilter, Staged> backwardFilterCache;

    ConvOps(Dnnl dnnl, PrimitiveCache cache, MemoryPool pool) {
        this.dnnl = dnnl;
        this.pool = pool;
        this.forwardCache = cache.table(k -> buildForward(k.op(), k.relu()));
        this.backwardDataCache = cache.table(this::buildBackwardData);
        this.backwardFilterCache = cache.table(k -> buildBackwardFilter(k.op(), k.withBias()));
    }

    void forward(Conv2d op, Tensor x, Tensor w, Tensor bias, Tensor y, boolean relu) {
        op.checkForward(x, w, bias, y);
        Staged p = forwardCache.get(new Forward(op, relu));
        if (op.bias()) {
            p.execute(pool, x.address(), w.address(), bias.address(), y.address());
        } else {
            p.execute(pool, x.address(), w.address(), y.address());
        }
    }

    void backwardData(Conv2d op, Tensor dy, Tensor w, Tensor dx) {
        op.checkBackwardData(dy, w, dx);
        Staged p = backwardDataCache.get(op);
        p.execute(pool, dy.address(), w.address(), dx.address());
    }

    void backwardFilter(Conv2d op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        op.checkBackwardFilter(x, dy, dw, dbias);
        boolean withBias = dbias != null;
        Staged p = backwardFilterCache.get(new BackwardFilter(op, withBias));
        if (withBias) {
            p.execute(pool, x.address(), dy.address(), dw.address(), dbias.address());
        } else {
            p.execute(pool, x.address(), dy.address(), dw.address());
        }
    }

    /** The geometry arrays oneDNN wants: strides, dilations (0 = none), and the two paddings. */
    private record Geometry(long[] strides, long[] dilates, long[] padL, long[] padR) {
        static Geometry of(Conv2d op) {
            Pads p = op.pads();
            return new Geometry(new long[] {op.stride().h(), op.stride().w()}, new long[] {0, 0},
                    new long[] {p.top(), p.left()}, new long[] {p.bottom(), p.right()});
        }
    }

    /** Descriptors oneDNN may lay out as it likes ({@code any}); the plain ones are what our tensors hold. */
    private static dnnl_memory_desc free(org.convnet4j.tensor.Shape s, Object op) {
        return Dnnl.withTag(s.dims(), dnnl_format_tag_any, dnnl_f32, op);
    }

    private dnnl_primitive_desc forwardDesc(Conv2d op, boolean relu) {
        dnnl_primitive_attr attr = relu ? Dnnl.reluPostOp(op) : null;
        try {
            return forwardDesc(dnnl, op, dnnl_forward_training, attr);
        } finally {
            if (attr != null) {
                dnnl_primitive_attr_destroy(attr);
            }
        }
    }

    /**
     * The forward convolution of {@code op} with every layout left to oneDNN (bias plain), for a
     * propagation kind and post-op attributes (null: none; the caller keeps them). Training uses it
     * here; {@link FrozenConvOps} with {@code forward_inference} and its sum and relu post-ops.
     */
    static dnnl_primitive_desc forwardDesc(Dnnl dnnl, Conv2d op, int prop, dnnl_primitive_attr attr) {
        Geometry g = Geometry.of(op);
        dnnl_memory_desc src = free(op.input(), op);
        dnnl_memory_desc wei = free(op.weightShape(), op);
        dnnl_memory_desc bia = op.bias() ? Dnnl.plain(op.biasShape(), op) : null;
        dnnl_memory_desc dst = free(op.outputShape(), op);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            Dnnl.check(dnnl_convolution_forward_primitive_desc_create(pd, dnnl.engine, prop,
                    dnnl_convolution_direct, src, wei, bia, dst, g.strides, g.dilates, g.padL, g.padR, attr),
                    "dnnl_convolution_forward_primitive_desc_create", op);
            return pd;
        } finally {
            Dnnl.destroy(src, wei, bia, dst);
        }
    }

    /** A staged primitive over {@code pd} whose arguments are our plain tensors of the given shapes (null: bias). */
    private Staged staged(Conv2d op, dnnl_primitive_desc pd, int[] args, org.convnet4j.tensor.Shape[] shapes,
                          boolean[] outputs) {
        dnnl_memory_desc[] user = new dnnl_memory_desc[args.length];
        try {
            for (int i = 0; i < args.length; i++) {
                user[i] = shapes[i] == null ? null : Dnnl.plain(shapes[i], op);
            }
            return new Staged(dnnl, op, pd, args, user, outputs);
        } finally {
            Dnnl.destroy(user);
        }
    }

    private Staged buildForward(Conv2d op, boolean relu) {
        dnnl_primitive_desc pd = forwardDesc(op, relu);
        if (op.bias()) {
            return staged(op, pd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                    new org.convnet4j.tensor.Shape[] {op.input(), op.weightShape(), null, op.outputShape()},
                    new boolean[] {false, false, false, true});
        }
        return staged(op, pd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
                new org.convnet4j.tensor.Shape[] {op.input(), op.weightShape(), op.outputShape()},
                new boolean[] {false, false, true});
    }

    private Staged buildBackwardData(Conv2d op) {
        Geometry g = Geometry.of(op);
        dnnl_primitive_desc hint = forwardDesc(op, false);
        dnnl_memory_desc dsrc = free(op.input(), op);
        dnnl_memory_desc wei = free(op.weightShape(), op);
        dnnl_memory_desc ddst = free(op.outputShape(), op);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            Dnnl.check(dnnl_convolution_backward_data_primitive_desc_create(pd, dnnl.engine, dnnl_convolution_direct,
                    dsrc, wei, ddst, g.strides, g.dilates, g.padL, g.padR, hint, null),
                    "dnnl_convolution_backward_data_primitive_desc_create", op);
            return staged(op, pd, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                    new org.convnet4j.tensor.Shape[] {op.outputShape(), op.weightShape(), op.input()},
                    new boolean[] {false, false, true});
        } finally {
            Dnnl.destroy(dsrc, wei, ddst);
            dnnl_primitive_desc_destroy(hint);
        }
    }

    private Staged buildBackwardFilter(Conv2d op, boolean withBias) {
        Geometry g = Geometry.of(op);
        // The hint must describe a forward pass with the same bias-ness as the gradients asked for.
        Conv2d fwd = op.withBias(withBias);
        dnnl_primitive_desc hint = forwardDesc(fwd, false);
        dnnl_memory_desc src = free(op.input(), op);
        dnnl_memory_desc dwei = free(op.weightShape(), op);
        dnnl_memory_desc dbia = withBias ? Dnnl.plain(op.biasShape(), op) : null;
        dnnl_memory_desc ddst = free(op.outputShape(), op);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            Dnnl.check(dnnl_convolution_backward_weights_primitive_desc_create(pd, dnnl.engine, dnnl_convolution_direct,
                    src, dwei, dbia, ddst, g.strides, g.dilates, g.padL, g.padR, hint, null),
                    "dnnl_convolution_backward_weights_primitive_desc_create", op);
            if (withBias) {
                return staged(op, pd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS},
                        new org.convnet4j.tensor.Shape[] {op.input(), op.outputShape(), op.weightShape(), null},
                        new boolean[] {false, false, true, true});
            }
            return staged(op, pd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS},
                    new org.convnet4j.tensor.Shape[] {op.input(), op.outputShape(), op.weightShape()},
                    new boolean[] {false, false, true});
        } finally {
            Dnnl.destroy(src, dwei, dbia, ddst);
            dnnl_primitive_desc_destroy(hint);
        }
    }
}
