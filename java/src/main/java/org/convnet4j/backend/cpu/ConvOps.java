package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.Conv2d;
import org.convnet4j.ops.Pads;
import org.convnet4j.tensor.Shape;
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
        this.forwardCache = cache.table(this::buildForward);
        this.backwardDataCache = cache.table(this::buildBackwardData);
        this.backwardFilterCache = cache.table(this::buildBackwardFilter);
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
    private static dnnl_memory_desc free(DnnlScope s, Shape shape) {
        return s.withTag(shape.dims(), dnnl_format_tag_any, dnnl_f32);
    }

    /**
     * The forward convolution of {@code op} with every layout left to oneDNN (bias plain), for a
     * propagation kind and post-op attributes (null: none), owned by {@code s}. Training uses it
     * here; {@link FrozenConvOps} with {@code forward_inference} and its sum and relu post-ops.
     */
    static dnnl_primitive_desc forwardDesc(DnnlScope s, Dnnl dnnl, Conv2d op, int prop, dnnl_primitive_attr attr) {
        Geometry g = Geometry.of(op);
        dnnl_memory_desc src = free(s, op.input());
        dnnl_memory_desc wei = free(s, op.weightShape());
        dnnl_memory_desc bia = op.bias() ? s.plain(op.biasShape()) : null;
        dnnl_memory_desc dst = free(s, op.outputShape());
        return s.primitiveDesc("dnnl_convolution_forward_primitive_desc_create",
                pd -> dnnl_convolution_forward_primitive_desc_create(pd, dnnl.engine, prop, dnnl_convolution_direct,
                        src, wei, bia, dst, g.strides, g.dilates, g.padL, g.padR, attr));
    }

    /**
     * A staged primitive over {@code pd} (which leaves {@code s} for the primitive) whose arguments are
     * our plain tensors of the given shapes (null: bias).
     */
    private Staged staged(DnnlScope s, Conv2d op, dnnl_primitive_desc pd, int[] args, Shape[] shapes,
                          boolean[] outputs) {
        dnnl_memory_desc[] user = new dnnl_memory_desc[args.length];
        for (int i = 0; i < args.length; i++) {
            user[i] = shapes[i] == null ? null : s.plain(shapes[i]);
        }
        return new Staged(dnnl, op, s.release(pd), args, user, outputs);
    }

    private Staged buildForward(Forward key) {
        Conv2d op = key.op();
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_primitive_desc pd = forwardDesc(s, dnnl, op, dnnl_forward_training, s.postOps(false, key.relu()));
            if (op.bias()) {
                return staged(s, op, pd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                        new Shape[] {op.input(), op.weightShape(), null, op.outputShape()},
                        new boolean[] {false, false, false, true});
            }
            return staged(s, op, pd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
                    new Shape[] {op.input(), op.weightShape(), op.outputShape()},
                    new boolean[] {false, false, true});
        }
    }

    private Staged buildBackwardData(Conv2d op) {
        Geometry g = Geometry.of(op);
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_primitive_desc hint = forwardDesc(s, dnnl, op, dnnl_forward_training, null);
            dnnl_memory_desc dsrc = free(s, op.input());
            dnnl_memory_desc wei = free(s, op.weightShape());
            dnnl_memory_desc ddst = free(s, op.outputShape());
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_convolution_backward_data_primitive_desc_create",
                    p -> dnnl_convolution_backward_data_primitive_desc_create(p, dnnl.engine, dnnl_convolution_direct,
                            dsrc, wei, ddst, g.strides, g.dilates, g.padL, g.padR, hint, null));
            return staged(s, op, pd, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                    new Shape[] {op.outputShape(), op.weightShape(), op.input()},
                    new boolean[] {false, false, true});
        }
    }

    private Staged buildBackwardFilter(BackwardFilter key) {
        Conv2d op = key.op();
        boolean withBias = key.withBias();
        Geometry g = Geometry.of(op);
        try (DnnlScope s = new DnnlScope(op)) {
            // The hint must describe a forward pass with the same bias-ness as the gradients asked for.
            dnnl_primitive_desc hint = forwardDesc(s, dnnl, op.withBias(withBias), dnnl_forward_training, null);
            dnnl_memory_desc src = free(s, op.input());
            dnnl_memory_desc dwei = free(s, op.weightShape());
            dnnl_memory_desc dbia = withBias ? s.plain(op.biasShape()) : null;
            dnnl_memory_desc ddst = free(s, op.outputShape());
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_convolution_backward_weights_primitive_desc_create",
                    p -> dnnl_convolution_backward_weights_primitive_desc_create(p, dnnl.engine, dnnl_convolution_direct,
                            src, dwei, dbia, ddst, g.strides, g.dilates, g.padL, g.padR, hint, null));
            if (withBias) {
                return staged(s, op, pd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS},
                        new Shape[] {op.input(), op.outputShape(), op.weightShape(), null},
                        new boolean[] {false, false, true, true});
            }
            return staged(s, op, pd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS},
                    new Shape[] {op.input(), op.outputShape(), op.weightShape()},
                    new boolean[] {false, false, true});
        }
    }
}
