package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.convnet4j.backend.FrozenDense;
import org.convnet4j.backend.Int8Range;
import org.convnet4j.memory.Block;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * A dense layer frozen for inference in 8-bit integers on oneDNN ({@code CpuBackend.freezeDenseInt8}):
 * on each call our loop ({@code quantize.cpp}) quantizes the FP32 x (N x in) into u8 or s8 with the
 * calibrated scale
 * (nearest even, saturating), one matmul multiplies it with the s8 weights (quantized once, here, one
 * scale per output unit, packed into the kernel's layout) accumulating in s32, and writes FP32 {@code
 * y = relu?(scale_x scale_w[n] acc + bias)}, scales and relu applied inside the kernel. A quarter of
 * the FP32 weights' bytes, which at batch 1 are a dense layer's time.
 */
final class FrozenDenseInt8 extends FrozenDense {
    /** The backend's lock: the backend's stream is shared by all its primitives. */
    private final Object lock;
    private final MemoryPool pool;
    private final Primitive core;
    private final long srcBytes;
    private final Tensor packed;
    private final Tensor bias;
    private final Tensor srcScale;
    private final Tensor weightScales;
    private final float inputScale;
    private final boolean unsigned;

    FrozenDenseInt8(Object lock, Dnnl dnnl, MemoryPool pool, DenseOp op, Tensor w, Tensor b, boolean relu, Int8Range input) {
        super(op, w, b, relu, Weights.S8);
        if (input == null) {
            throw new IllegalArgumentException("freezeDenseInt8 " + op + ": the input range is null");
        }
        this.lock = lock;
        this.pool = pool;
        this.inputScale = input.scale();
        this.unsigned = input.unsigned();
        int in = op.inFeatures();
        int units = op.units();
        float[] wf = new float[Math.multiplyExact(in, units)];
        Address.floats(w.address(), wf.length).get(wf);
        float[] scales = new float[units];
        byte[] q = Closing.quantizePerChannel(wf, units, in, 1, units, scales);
        Primitive c = null;
        Tensor kw = null;
        Tensor kb = null;
        Tensor ss = null;
        Tensor ws = null;
        try (DnnlScope s = new DnnlScope(op)) {
            ss = Tensor.allocate(pool, Shape.of(1), DType.FP32);
            Address.floats(ss.address(), 1).put(0, input.scale());
            ws = Tensor.allocate(pool, Shape.of(units), DType.FP32);
            Address.floats(ws.address(), units).put(scales);
            dnnl_primitive_attr attr = s.attr(false, relu);
            Dnnl.check(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_SRC, 0), "dnnl_primitive_attr_set_scales_mask", op);
            // Weights are in x units: the output unit is dimension 1.
            Dnnl.check(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_WEIGHTS, 1 << 1), "dnnl_primitive_attr_set_scales_mask", op);
            dnnl_memory_desc src = s.withTag(op.input().dims(), Dnnl.plainTag(2), input.unsigned() ? dnnl_u8 : dnnl_s8);
            dnnl_memory_desc wei = s.withTag(op.weightShape().dims(), dnnl_format_tag_any, dnnl_s8);
            dnnl_memory_desc bia = op.bias() ? s.plain(new long[] {1, units}) : null;
            dnnl_memory_desc dst = s.plain(op.outputShape());
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_matmul_primitive_desc_create (int8)",
                    p -> dnnl_matmul_primitive_desc_create(p, dnnl.engine, src, wei, bia, dst, attr));
            dnnl_memory_desc chosenWei = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_WEIGHTS);
            dnnl_memory_desc one = s.plain(new long[] {1});
            dnnl_memory_desc perUnit = s.plain(new long[] {units});
            long weiBytes = dnnl_memory_desc_get_size(chosenWei);
            kw = Tensor.allocate(pool, Shape.of((weiBytes + 3) / 4), DType.FP32);
            dnnl_memory_desc plainWei = s.withTag(op.weightShape().dims(), Dnnl.plainTag(2), dnnl_s8);
            try (Block staging = pool.allocate(q.length);
                 Primitive pack = Reorders.build(dnnl, op, plainWei, chosenWei)) {
                new BytePointer(new Address(staging.address())).capacity(q.length).put(q, 0, q.length);
                pack.execute(staging.address(), kw.address());
                dnnl.await(op);
            }
            if (b != null) {
                kb = Tensor.allocate(pool, op.biasShape(), DType.FP32);
                Pointer.memcpy(new Address(kb.address()), new Address(b.address()), b.bytes());
            }
            this.srcBytes = dnnl_memory_desc_get_size(src);
            int[] args = b != null
                    ? new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST,
                            DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS}
                    : new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST,
                            DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS};
            dnnl_memory_desc[] mds = new dnnl_memory_desc[args.length];
            mds[args.length - 2] = one;
            mds[args.length - 1] = perUnit;
            pd = s.release(pd);
            c = new Primitive(dnnl, op, pd, args, mds);
        } catch (RuntimeException e) {
            Closing.quietly("an int8 frozen dense layer", kw);
            Closing.quietly("an int8 frozen dense layer", kb);
            Closing.quietly("an int8 frozen dense layer", ss);
            Closing.quietly("an int8 frozen dense layer", ws);
            throw e;
        }
        this.core = c;
        this.packed = kw;
        this.bias = kb;
        this.srcScale = ss;
        this.weightScales = ws;
    }


    /** Runs under the backend's lock, as every op of a CPU backend does. */
    @Override
    public void forward(Tensor x, Tensor y) {
        synchronized (lock) {
            checkForward(x, y);
            Block src = null;
            try {
                src = pool.allocate(srcBytes);
                CpuKernels.quantize8(x.address(), src.address(), op().input().size(), inputScale, unsigned);
                if (bias != null) {
                    core.execute(src.address(), packed.address(), bias.address(), y.address(), srcScale.address(),
                            weightScales.address());
                } else {
                    core.execute(src.address(), packed.address(), y.address(), srcScale.address(), weightScales.address());
                }
            } finally {
                Closing.quietly("an int8 frozen dense layer", src);
            }
        }
    }

    @Override
    public void close() {
        Closing.quietly("an int8 frozen dense layer", core);
        Closing.quietly("an int8 frozen dense layer", packed);
        Closing.quietly("an int8 frozen dense layer", bias);
        Closing.quietly("an int8 frozen dense layer", srcScale);
        Closing.quietly("an int8 frozen dense layer", weightScales);
    }
}
