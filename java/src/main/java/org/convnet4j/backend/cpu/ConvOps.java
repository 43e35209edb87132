package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.Pads;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Convolution on oneDNN: forward (optionally with a fused relu post-op), backward-data and
 * backward-filter (with the bias gradient in the same pass). oneDNN picks the layouts its JIT kernels
 * want; {@link Staged} reorders our plain NCHW / OIHW tensors in and out. One staged primitive per
 * (op, pass) is built once and cached.
 */
final class ConvOps {
    /** The forward primitive of {@code op}, with a relu post-op fused in or not, for x and y in these formats. */
    private record Forward(Conv2dOp op, boolean relu, Format x, Format y) {
    }

    /** The backward-data primitive of {@code op} for dy and dx in these formats. */
    private record BackwardData(Conv2dOp op, Format dy, Format dx) {
    }

    /** The backward-filter primitive of {@code op}, computing the bias gradient in the same pass or not. */
    private record BackwardFilter(Conv2dOp op, boolean withBias, Format x, Format dy) {
    }

    private final Dnnl dnnl;
    private final MemoryPool pool;
    private final PrimitiveCache.Table<Forward, Staged> forwardCache;
    private final PrimitiveCache.Table<BackwardData, Staged> backwardDataCache;
    private final PrimitiveCache.Table<BackwardFilter, Staged> backwardFilterCache;

    ConvOps(Dnnl dnnl, PrimitiveCache cache, MemoryPool pool) {
        this.dnnl = dnnl;
        this.pool = pool;
        this.forwardCache = cache.table(this::buildForward);
        this.backwardDataCache = cache.table(this::buildBackwardData);
        this.backwardFilterCache = cache.table(this::buildBackwardFilter);
    }

    void forward(Conv2dOp op, Tensor x, Tensor w, Tensor bias, Tensor y, boolean relu) {
        op.checkForward(x, w, bias, y);
        Staged p = forwardCache.get(new Forward(op, relu, Format.of(x), Format.of(y)));
        if (op.bias()) {
            p.execute(pool, x.address(), w.address(), bias.address(), y.address());
        } else {
            p.execute(pool, x.address(), w.address(), y.address());
        }
    }

    void backwardData(Conv2dOp op, Tensor dy, Tensor w, Tensor dx) {
        op.checkBackwardData(dy, w, dx);
        Staged p = backwardDataCache.get(new BackwardData(op, Format.of(dy), Format.of(dx)));
        p.execute(pool, dy.address(), w.address(), dx.address());
    }

    void backwardFilter(Conv2dOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        op.checkBackwardFilter(x, dy, dw, dbias);
        boolean withBias = dbias != null;
        Staged p = backwardFilterCache.get(new BackwardFilter(op, withBias, Format.of(x), Format.of(dy)));
        if (withBias) {
            p.execute(pool, x.address(), dy.address(), dw.address(), dbias.address());
        } else {
            p.execute(pool, x.address(), dy.address(), dw.address());
        }
    }

    /** The geometry arrays oneDNN wants: strides, dilations (0 = none), and the two paddings. */
    private record Geometry(long[] strides, long[] dilates, long[] padL, long[] padR) {
        static Geometry of(Conv2dOp op) {
            Pads p = op.pads();
            return new Geometry(new long[] {op.stride().h(), op.stride().w()}, new long[] {0, 0},
                    new long[] {p.top(), p.left()}, new long[] {p.bottom(), p.right()});
        }
    }

    /** Descriptors oneDNN may lay out as it likes ({@code any}); the plain ones are what our tensors hold. */
    private static dnnl_memory_desc free(DnnlScope s, Shape shape) {
        return free(s, shape, DType.FP32);
    }

    private static dnnl_memory_desc free(DnnlScope s, Shape shape, DType type) {
        return s.withTag(shape.dims(), dnnl_format_tag_any, Format.dataType(type));
    }

    /**
     * What the primitive computes on for an activation stored in {@code stored}: channels-last is
     * what oneDNN's brgemm kernels read and write, so an NHWC tensor is taken as it is (no reorder when
     * the type matches too); an NCHW one lets oneDNN pick its blocked layout and is reordered, as before
     * layouts persisted.
     */
    private static dnnl_memory_desc activation(DnnlScope s, Shape shape, Format stored, DType compute) {
        return stored.layout() == Layout.NHWC ? s.of(shape, stored.with(compute)) : free(s, shape, compute);
    }

    /**
     * The forward convolution of {@code op} with every layout left to oneDNN (bias plain), for a
     * propagation kind and post-op attributes (null: none), owned by {@code s}. Training uses it
     * here; {@link FrozenConvOps} with {@code forward_inference} and its sum and relu post-ops.
     */
    static dnnl_primitive_desc forwardDesc(DnnlScope s, Dnnl dnnl, Conv2dOp op, int prop, dnnl_primitive_attr attr) {
        return forwardDesc(s, dnnl, op, prop, attr, Format.PLAIN, Format.PLAIN);
    }

    /** As above for x and y stored in these formats; BF16 in either computes in BF16 with FP32 accumulation. */
    static dnnl_primitive_desc forwardDesc(DnnlScope s, Dnnl dnnl, Conv2dOp op, int prop, dnnl_primitive_attr attr,
                                           Format x, Format y) {
        DType compute = compute(x, y);
        Geometry g = Geometry.of(op);
        dnnl_memory_desc src = activation(s, op.input(), x, compute);
        dnnl_memory_desc wei = free(s, op.weightShape(), compute);
        dnnl_memory_desc bia = op.bias() ? s.plain(op.biasShape()) : null;
        dnnl_memory_desc dst = activation(s, op.outputShape(), y, compute);
        return s.primitiveDesc("dnnl_convolution_forward_primitive_desc_create",
                pd -> dnnl_convolution_forward_primitive_desc_create(pd, dnnl.engine, prop, dnnl_convolution_direct,
                        src, wei, bia, dst, g.strides, g.dilates, g.padL, g.padR, attr));
    }

    /**
     * The int8 inference convolution of {@code op} ({@link FrozenConvInt8}): x 8-bit NHWC (u8 when
     * {@code unsigned}, else s8), weights s8 in the layout oneDNN picks, bias FP32 plain, y FP32 NHWC;
     * {@code attr} carries the scales and post-ops. Owned by {@code s}.
     */
    static dnnl_primitive_desc int8ForwardDesc(DnnlScope s, Dnnl dnnl, Conv2dOp op, boolean unsigned,
                                               dnnl_primitive_attr attr) {
        Geometry g = Geometry.of(op);
        dnnl_memory_desc src = s.withTag(op.input().dims(), dnnl_acdb, unsigned ? dnnl_u8 : dnnl_s8);
        dnnl_memory_desc wei = s.withTag(op.weightShape().dims(), dnnl_format_tag_any, dnnl_s8);
        dnnl_memory_desc bia = op.bias() ? s.plain(op.biasShape()) : null;
        dnnl_memory_desc dst = s.withTag(op.outputShape().dims(), dnnl_acdb, dnnl_f32);
        return s.primitiveDesc("dnnl_convolution_forward_primitive_desc_create (int8)",
                pd -> dnnl_convolution_forward_primitive_desc_create(pd, dnnl.engine, dnnl_forward_inference,
                        dnnl_convolution_direct, src, wei, bia, dst, g.strides, g.dilates, g.padL, g.padR, attr));
    }

    /**
     * A staged primitive over {@code pd} (which leaves {@code s} for the primitive) whose arguments are
     * our plain tensors of the given shapes (null: bias).
     */
    private Staged staged(DnnlScope s, Conv2dOp op, dnnl_primitive_desc pd, int[] args, Shape[] shapes,
                          Format[] formats, boolean[] outputs) {
        dnnl_memory_desc[] user = new dnnl_memory_desc[args.length];
        for (int i = 0; i < args.length; i++) {
            user[i] = shapes[i] == null ? null : s.of(shapes[i], formats[i]);
        }
        return new Staged(dnnl, op, s.release(pd), args, user, outputs);
    }

    private Staged buildForward(Forward key) {
        Conv2dOp op = key.op();
        Format p = Format.PLAIN;
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_primitive_desc pd = forwardDesc(s, dnnl, op, dnnl_forward_training, s.postOps(false, key.relu()),
                    key.x(), key.y());
            if (op.bias()) {
                return staged(s, op, pd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                        new Shape[] {op.input(), op.weightShape(), null, op.outputShape()},
                        new Format[] {key.x(), p, p, key.y()}, new boolean[] {false, false, false, true});
            }
            return staged(s, op, pd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
                    new Shape[] {op.input(), op.weightShape(), op.outputShape()},
                    new Format[] {key.x(), p, key.y()}, new boolean[] {false, false, true});
        }
    }

    private static DType compute(Format a, Format b) {
        return a.dtype() == DType.BF16 || b.dtype() == DType.BF16 ? DType.BF16 : DType.FP32;
    }

    private Staged buildBackwardData(BackwardData key) {
        Conv2dOp op = key.op();
        DType compute = compute(key.dy(), key.dx());
        Geometry g = Geometry.of(op);
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_primitive_desc hint = forwardDesc(s, dnnl, op, dnnl_forward_training, null, key.dx(), key.dy());
            dnnl_memory_desc dsrc = activation(s, op.input(), key.dx(), compute);
            dnnl_memory_desc wei = free(s, op.weightShape(), compute);
            dnnl_memory_desc ddst = activation(s, op.outputShape(), key.dy(), compute);
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_convolution_backward_data_primitive_desc_create",
                    p -> dnnl_convolution_backward_data_primitive_desc_create(p, dnnl.engine, dnnl_convolution_direct,
                            dsrc, wei, ddst, g.strides, g.dilates, g.padL, g.padR, hint, null));
            return staged(s, op, pd, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                    new Shape[] {op.outputShape(), op.weightShape(), op.input()},
                    new Format[] {key.dy(), Format.PLAIN, key.dx()}, new boolean[] {false, false, true});
        }
    }

    private Staged buildBackwardFilter(BackwardFilter key) {
        Conv2dOp op = key.op();
        boolean withBias = key.withBias();
        DType compute = compute(key.x(), key.dy());
        Geometry g = Geometry.of(op);
        try (DnnlScope s = new DnnlScope(op)) {
            // The hint must describe a forward pass with the same bias-ness as the gradients asked for.
            dnnl_primitive_desc hint = forwardDesc(s, dnnl, op.withBias(withBias), dnnl_forward_training, null,
                    key.x(), key.dy());
            dnnl_memory_desc src = activation(s, op.input(), key.x(), compute);
            // Weight gradients stay FP32 (the master weights' type) whatever the activations' type.
            dnnl_memory_desc dwei = free(s, op.weightShape());
            dnnl_memory_desc dbia = withBias ? s.plain(op.biasShape()) : null;
            dnnl_memory_desc ddst = activation(s, op.outputShape(), key.dy(), compute);
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_convolution_backward_weights_primitive_desc_create",
                    p -> dnnl_convolution_backward_weights_primitive_desc_create(p, dnnl.engine, dnnl_convolution_direct,
                            src, dwei, dbia, ddst, g.strides, g.dilates, g.padL, g.padR, hint, null));
            if (withBias) {
                return staged(s, op, pd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS},
                        new Shape[] {op.input(), op.outputShape(), op.weightShape(), null},
                        new Format[] {key.x(), key.dy(), Format.PLAIN, Format.PLAIN}, new boolean[] {false, false, true, true});
            }
            return staged(s, op, pd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS},
                    new Shape[] {op.input(), op.outputShape(), op.weightShape()},
                    new Format[] {key.x(), key.dy(), Format.PLAIN}, new boolean[] {false, false, true});
        }
    }
}
