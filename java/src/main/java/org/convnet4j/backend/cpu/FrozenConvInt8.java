package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.convnet4j.backend.FrozenConv;
import org.convnet4j.backend.Int8Range;
import org.convnet4j.memory.Block;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * A convolution frozen for inference in 8-bit integers on oneDNN ({@code CpuBackend.freezeConvInt8}):
 * on each call our loop ({@code quantize.cpp}; a oneDNN reorder for an NCHW x) quantizes the FP32 x
 * into u8 or s8 NHWC with the calibrated scale (rounding
 * to nearest, saturating), one {@code forward_inference} primitive multiplies it with the s8 weights
 * (quantized once, here, one scale per output channel, and reordered into the kernel's blocked layout
 * with the compensation oneDNN needs for s8 inputs), accumulates in s32 and writes FP32 NHWC: {@code
 * y = relu?(scale_x scale_w[o] acc + bias + residual?)}, the scales, the residual (a sum post-op) and
 * the relu applied inside the kernel. x, the residual and y are FP32 in NHWC (the kernel's own, what a
 * frozen executor hands between convolutions) or NCHW (reordered through pooled scratch).
 */
final class FrozenConvInt8 extends FrozenConv {
    private static final Layout[] LAYOUTS = Layout.values();

    /** The backend's lock: the backend's stream is shared by all its primitives. */
    private final Object lock;
    private final Dnnl dnnl;
    private final MemoryPool pool;
    private final Primitive core;
    /** Per layout of x (ordinal): FP32 x to the 8-bit NHWC input, scaled; null for NHWC (our loop). */
    private final Primitive[] quantize = new Primitive[LAYOUTS.length];
    /** Per layout of y: whether it is the kernel's FP32 NHWC, else the reorders in (residual) and out. */
    private final boolean[] dstDirect = new boolean[LAYOUTS.length];
    private final Primitive[] dstIn = new Primitive[LAYOUTS.length];
    private final Primitive[] dstOut = new Primitive[LAYOUTS.length];
    private final long srcBytes;
    private final long dstBytes;
    private final Tensor weights;
    private final Tensor bias;
    /** x's scale (one float), the per-output-channel weight scales, and x's scale for the quantizing reorder. */
    private final Tensor srcScale;
    private final Tensor weightScales;
    private final Int8Range input;

    FrozenConvInt8(Object lock, Dnnl dnnl, MemoryPool pool, Conv2dOp op, Tensor w, Tensor b, boolean residual,
                   boolean relu, Int8Range input) {
        super(op, w, b, residual, relu);
        if (input == null) {
            throw new IllegalArgumentException("freezeConvInt8 " + op + ": the input range is null");
        }
        if (op.weightShape().rank() != 4) {
            throw new IllegalArgumentException("freezeConvInt8 " + op + ": expected OIHW weights. Received " + op.weightShape());
        }
        this.lock = lock;
        this.dnnl = dnnl;
        this.pool = pool;
        this.input = input;
        int outChannels = (int) op.weightShape().dim(0);
        long count = op.weightShape().size();
        int per = Math.toIntExact(count / outChannels);
        float[] wf = new float[Math.toIntExact(count)];
        Address.floats(w.address(), count).get(wf);
        float[] scales = new float[outChannels];
        byte[] q = Closing.quantizePerChannel(wf, outChannels, per, per, 1, scales);

        Primitive c = null;
        Tensor kw = null;
        Tensor kb = null;
        Tensor ss = null;
        Tensor ws = null;
        try (DnnlScope s = new DnnlScope(op)) {
            ss = Tensor.allocate(pool, Shape.of(1), DType.FP32);
            Address.floats(ss.address(), 1).put(0, input.scale());
            ws = Tensor.allocate(pool, Shape.of(outChannels), DType.FP32);
            Address.floats(ws.address(), outChannels).put(scales);

            dnnl_primitive_attr attr = s.attr(residual, relu);
            Dnnl.check(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_SRC, 0), "dnnl_primitive_attr_set_scales_mask", op);
            Dnnl.check(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_WEIGHTS, 1), "dnnl_primitive_attr_set_scales_mask", op);
            dnnl_primitive_desc pd = ConvOps.int8ForwardDesc(s, dnnl, op, input.unsigned(), attr);
            dnnl_memory_desc chosenSrc = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_SRC);
            dnnl_memory_desc chosenWei = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_WEIGHTS);
            dnnl_memory_desc chosenDst = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_DST);
            dnnl_memory_desc one = s.plain(new long[] {1});
            dnnl_memory_desc perChannel = s.plain(new long[] {outChannels});
            for (Layout l : LAYOUTS) {
                int i = l.ordinal();
                dnnl_memory_desc x = s.of(op.input(), new Format(DType.FP32, l));
                if (l != Layout.NHWC) { // an NHWC x takes our loop (forwardLocked)
                    quantize[i] = quantizer(s, dnnl, op, x, chosenSrc, one);
                }
                dnnl_memory_desc y = s.of(op.outputShape(), new Format(DType.FP32, l));
                dstDirect[i] = dnnl_memory_desc_equal(chosenDst, y) != 0;
                if (!dstDirect[i]) {
                    dstOut[i] = Reorders.build(dnnl, op, chosenDst, y);
                    if (residual) {
                        dstIn[i] = Reorders.build(dnnl, op, y, chosenDst);
                    }
                }
            }
            long weiBytes = dnnl_memory_desc_get_size(chosenWei);
            kw = Tensor.allocate(pool, Shape.of((weiBytes + 3) / 4), DType.FP32);
            dnnl_memory_desc plainWei = s.withTag(op.weightShape().dims(), Dnnl.plainTag(4), dnnl_s8);
            try (Block staging = pool.allocate(q.length);
                 Primitive r = Reorders.build(dnnl, op, plainWei, chosenWei)) {
                new BytePointer(new Address(staging.address())).capacity(q.length).put(q, 0, q.length);
                r.execute(staging.address(), kw.address());
                dnnl.await(op);
            }
            if (b != null) {
                kb = Tensor.allocate(pool, op.biasShape(), DType.FP32);
                Pointer.memcpy(new Address(kb.address()), new Address(b.address()), b.bytes());
            }
            this.srcBytes = dnnl_memory_desc_get_size(chosenSrc);
            this.dstBytes = dnnl_memory_desc_get_size(chosenDst);
            int[] args = b != null
                    ? new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST,
                            DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS}
                    : new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST,
                            DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS};
            dnnl_memory_desc[] mds = new dnnl_memory_desc[args.length];
            mds[args.length - 2] = one;
            mds[args.length - 1] = perChannel;
            // From here the primitive owns pd, also if building it fails.
            pd = s.release(pd);
            c = new Primitive(dnnl, op, pd, args, mds);
        } catch (RuntimeException e) {
            Closing.all("an int8 frozen convolution", quantize, dstIn, dstOut);
            Closing.quietly("an int8 frozen convolution", kw);
            Closing.quietly("an int8 frozen convolution", kb);
            Closing.quietly("an int8 frozen convolution", ss);
            Closing.quietly("an int8 frozen convolution", ws);
            throw e;
        }
        this.core = c;
        this.weights = kw;
        this.bias = kb;
        this.srcScale = ss;
        this.weightScales = ws;
    }


    /** The reorder x (FP32) to the kernel's 8-bit input, dividing by x's scale (a DST scale, mask 0). */
    private static Primitive quantizer(DnnlScope s, Dnnl dnnl, Object op, dnnl_memory_desc from, dnnl_memory_desc to,
                                       dnnl_memory_desc scale) {
        dnnl_primitive_attr attr = s.attr(false, false);
        Dnnl.check(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_DST, 0), "dnnl_primitive_attr_set_scales_mask", op);
        dnnl_primitive_desc pd = s.primitiveDesc("dnnl_reorder_primitive_desc_create (quantize)",
                p -> dnnl_reorder_primitive_desc_create(p, from, dnnl.engine, to, dnnl.engine, attr));
        return new Primitive(dnnl, op, s.release(pd), new int[] {DNNL_ARG_FROM, DNNL_ARG_TO, DNNL_ARG_ATTR_SCALES | DNNL_ARG_TO},
                new dnnl_memory_desc[] {from, to, scale});
    }


    @Override
    public Layout nativeLayout() {
        return Layout.NHWC;
    }

    /** Runs under the backend's lock, as every op of a CPU backend does. */
    @Override
    public void forward(Tensor x, Tensor res, Tensor y) {
        synchronized (lock) {
            forwardLocked(x, res, y);
        }
    }

    private void forwardLocked(Tensor x, Tensor res, Tensor y) {
        checkForward(x, res, y, Layout.NHWC);
        int ly = y.layout().ordinal();
        Block src = null;
        Block dstScratch = null;
        try {
            src = pool.allocate(srcBytes);
            // The quantization is the int8 computation itself, not a layout change: not counted as a reorder.
            if (x.layout() == Layout.NHWC) {
                CpuKernels.quantize8(x.address(), src.address(), op().input().size(), input.scale(), input.unsigned());
            } else {
                quantize[x.layout().ordinal()].execute(x.address(), src.address(), srcScale.address());
            }
            long dst = y.address();
            if (!dstDirect[ly]) {
                dstScratch = pool.allocate(dstBytes);
                dst = dstScratch.address();
            }
            if (residual() && res.address() != dst) {
                int lr = res.layout().ordinal();
                if (dstDirect[lr]) {
                    Pointer.memcpy(new Address(dst), new Address(res.address()), dstBytes);
                } else {
                    dstIn[lr].execute(res.address(), dst);
                    dnnl.reorders.increment();
                }
            }
            if (bias != null) {
                core.execute(src.address(), weights.address(), bias.address(), dst, srcScale.address(),
                        weightScales.address());
            } else {
                core.execute(src.address(), weights.address(), dst, srcScale.address(), weightScales.address());
            }
            if (dstScratch != null) {
                dstOut[ly].execute(dst, y.address());
                dnnl.reorders.increment();
            }
        } finally {
            Closing.quietly("an int8 frozen convolution", src);
            Closing.quietly("an int8 frozen convolution", dstScratch);
        }
    }

    @Override
    public void close() {
        Closing.quietly("an int8 frozen convolution", core);
        Closing.all("an int8 frozen convolution", quantize, dstIn, dstOut);
        Closing.quietly("an int8 frozen convolution", weights);
        Closing.quietly("an int8 frozen convolution", bias);
        Closing.quietly("an int8 frozen convolution", srcScale);
        Closing.quietly("an int8 frozen convolution", weightScales);
    }
}
