package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.Pointer;
import org.convnet4j.backend.FrozenConv;
import org.convnet4j.graph.Precision;
import org.convnet4j.memory.Block;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * A convolution frozen for inference on oneDNN: one {@code forward_inference} primitive with the
 * residual add (a sum post-op) and the relu (an eltwise post-op) fused in, and the weights reordered
 * once, when frozen, into the blocked layout its JIT kernel reads. The training path
 * ({@link ConvOps}) reorders the weights on every call because they change every step; at batch 1 that
 * reorder moves more bytes than the convolution's activations (ResNet-50: 94 MB of weights a call).
 * Activations may come and go in NCHW or NHWC ({@link Tensor#layout}); where one is not the layout
 * the kernel chose (at batch 1 oneDNN picks NHWC for every ResNet-50 convolution) it is reordered in
 * or out through pooled scratch, as in {@link Staged}. A frozen executor hands NHWC tensors from one
 * frozen convolution to the next, so a chain of them reorders nothing.
 */
final class FrozenConvOps extends FrozenConv {
    /** The backend's lock (see {@link #forward}). */
    private final Object lock;
    private static final Layout[] LAYOUTS = Layout.values();

    private final Dnnl dnnl;
    private final MemoryPool pool;
    private final Primitive core;
    /** Per tensor layout (ordinal): whether it is the kernel's own, else the reorder in or out. */
    private final boolean[] srcDirect = new boolean[LAYOUTS.length];
    private final boolean[] dstDirect = new boolean[LAYOUTS.length];
    private final Primitive[] srcIn = new Primitive[LAYOUTS.length];
    private final Primitive[] dstIn = new Primitive[LAYOUTS.length];
    private final Primitive[] dstOut = new Primitive[LAYOUTS.length];
    private final long srcBytes;
    private final long dstBytes;
    private final Tensor weights;
    private final Tensor bias;

    /**
     * Frozen in {@code precision}: fp32 takes FP32 x, residual and y in NCHW or NHWC (oneDNN picks the
     * kernel's layouts, reorders bridge the others); bf16 takes them BF16 NHWC, the kernel's own
     * format, with the weights converted to BF16 once here.
     */
    FrozenConvOps(Object lock, Dnnl dnnl, MemoryPool pool, Conv2dOp op, Tensor w, Tensor b, boolean residual, boolean relu,
                  Precision precision) {
        super(op, w, b, residual, relu);
        if (precision == Precision.BF16) {
            activations(DType.BF16);
        }
        Format act = precision == Precision.BF16 ? new Format(DType.BF16, Layout.NHWC) : null;
        this.lock = lock;
        this.dnnl = dnnl;
        this.pool = pool;
        Primitive c = null;
        Tensor kw = null;
        Tensor kb = null;
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_primitive_desc pd = act == null
                    ? ConvOps.forwardDesc(s, dnnl, op, dnnl_forward_inference, s.postOps(residual, relu))
                    : ConvOps.forwardDesc(s, dnnl, op, dnnl_forward_inference, s.postOps(residual, relu), act, act);
            dnnl_memory_desc wei = s.plain(op.weightShape());
            dnnl_memory_desc chosenSrc = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_SRC);
            dnnl_memory_desc chosenWei = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_WEIGHTS);
            dnnl_memory_desc chosenDst = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_DST);
            for (Layout l : LAYOUTS) {
                int i = l.ordinal();
                dnnl_memory_desc src = user(s, l, op.input(), activations());
                dnnl_memory_desc dst = user(s, l, op.outputShape(), activations());
                srcDirect[i] = dnnl_memory_desc_equal(chosenSrc, src) != 0;
                dstDirect[i] = dnnl_memory_desc_equal(chosenDst, dst) != 0;
                if (!srcDirect[i]) {
                    srcIn[i] = Reorders.build(dnnl, op, src, chosenSrc);
                }
                if (!dstDirect[i]) {
                    dstOut[i] = Reorders.build(dnnl, op, chosenDst, dst);
                    if (residual) {
                        dstIn[i] = Reorders.build(dnnl, op, dst, chosenDst);
                    }
                }
            }
            long weiBytes = dnnl_memory_desc_get_size(chosenWei);
            kw = Tensor.allocate(pool, Shape.of((weiBytes + 3) / 4), DType.FP32);
            if (dnnl_memory_desc_equal(chosenWei, wei) == 0) {
                try (Primitive r = Reorders.build(dnnl, op, wei, chosenWei)) {
                    r.execute(w.address(), kw.address());
                }
                dnnl.await(op);
            } else {
                copy(w.address(), kw.address(), w.bytes());
            }
            if (b != null) {
                kb = Tensor.allocate(pool, op.biasShape(), DType.FP32);
                copy(b.address(), kb.address(), b.bytes());
            }
            this.srcBytes = dnnl_memory_desc_get_size(chosenSrc);
            this.dstBytes = dnnl_memory_desc_get_size(chosenDst);
            // From here the primitive owns pd, also if building it fails.
            pd = s.release(pd);
            c = b != null ? new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST)
                    : new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST);
        } catch (RuntimeException e) {
            // The scope has freed the descriptors (pd too, unless the primitive had it); the rest is ours.
            Closing.all("a frozen convolution", srcIn, dstIn, dstOut);
            Closing.quietly("a frozen convolution", kw);
            Closing.quietly("a frozen convolution", kb);
            throw e;
        }
        this.core = c;
        this.weights = kw;
        this.bias = kb;
    }

    /** Our tensor's descriptor in that layout and type: NCHW is the plain tag, NHWC oneDNN's acdb. */
    private static dnnl_memory_desc user(DnnlScope s, Layout l, Shape shape, DType type) {
        return s.of(shape, new Format(type, l));
    }

    @Override
    public Layout nativeLayout() {
        int nhwc = Layout.NHWC.ordinal();
        return srcDirect[nhwc] && dstDirect[nhwc] ? Layout.NHWC : Layout.NCHW;
    }

    /**
     * Runs under the backend's lock, as every op of a CPU backend does: the backend's oneDNN stream is
     * shared by all its primitives, and threads sharing a backend must not interleave on it.
     */
    @Override
    public void forward(Tensor x, Tensor res, Tensor y) {
        synchronized (lock) {
            forwardLocked(x, res, y);
        }
    }

    private void forwardLocked(Tensor x, Tensor res, Tensor y) {
        checkForward(x, res, y, Layout.NHWC);
        int lx = x.layout().ordinal();
        int ly = y.layout().ordinal();
        Block srcScratch = null;
        Block dstScratch = null;
        try {
            long src = x.address();
            if (!srcDirect[lx]) {
                srcScratch = pool.allocate(srcBytes);
                src = srcScratch.address();
                srcIn[lx].execute(x.address(), src);
                dnnl.reorders.increment();
            }
            long dst = y.address();
            if (!dstDirect[ly]) {
                dstScratch = pool.allocate(dstBytes);
                dst = dstScratch.address();
            }
            if (residual() && res.address() != dst) {
                int lr = res.layout().ordinal();
                if (dstDirect[lr]) {
                    copy(res.address(), dst, dstBytes);
                } else {
                    dstIn[lr].execute(res.address(), dst);
                    dnnl.reorders.increment();
                }
            }
            if (bias != null) {
                core.execute(src, weights.address(), bias.address(), dst);
            } else {
                core.execute(src, weights.address(), dst);
            }
            if (dstScratch != null) {
                dstOut[ly].execute(dst, y.address());
                dnnl.reorders.increment();
            }
        } finally {
            Closing.quietly("a frozen convolution", srcScratch);
            Closing.quietly("a frozen convolution", dstScratch);
        }
    }

    @Override
    public void close() {
        Closing.quietly("a frozen convolution", core);
        Closing.all("a frozen convolution", srcIn, dstIn, dstOut);
        Closing.quietly("a frozen convolution", weights);
        Closing.quietly("a frozen convolution", bias);
    }

    private static void copy(long from, long to, long bytes) {
        Pointer.memcpy(new Address(to), new Address(from), bytes);
    }
}
