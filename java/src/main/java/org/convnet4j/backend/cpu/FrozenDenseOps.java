package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.Pointer;
import org.convnet4j.backend.FrozenDense;
import org.convnet4j.memory.Block;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * A dense layer frozen for inference on oneDNN: one matmul primitive whose weights were reordered
 * once, when frozen, into the packed layout its brgemm kernel reads ({@code format_tag_any}), in FP32
 * or BF16, with the relu as an eltwise post-op. The training path ({@link DenseOps}) reads the plain
 * FP32 weights as they are, which oneDNN can only run with a slower kernel; at batch 1 a dense layer
 * is the bytes of its weights (AlexNet8: 36 MB of FP32 weights a call), so BF16 halves its time. In
 * BF16 x is rounded to BF16 on each call into pooled scratch (N x in values, small); y stays FP32.
 */
final class FrozenDenseOps extends FrozenDense {
    /** The backend's lock: the backend's stream is shared by all its primitives. */
    private final Object lock;
    private final MemoryPool pool;
    private final Primitive core;
    /** BF16 only: x (FP32) to BF16, else null. */
    private final Primitive round;
    private final long roundedBytes;
    private final Tensor packed;
    private final Tensor bias;

    FrozenDenseOps(Object lock, Dnnl dnnl, MemoryPool pool, DenseOp op, Tensor w, Tensor b, boolean relu, DType weights) {
        super(op, w, b, relu, FrozenDense.weightsOf(weights));
        this.lock = lock;
        this.pool = pool;
        int type = Format.dataType(weights);
        Primitive c = null;
        Primitive r = null;
        Tensor kw = null;
        Tensor kb = null;
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_memory_desc x = s.plain(op.input());
            dnnl_memory_desc src = s.withTag(op.input().dims(), Dnnl.plainTag(2), type);
            dnnl_memory_desc wei = s.withTag(op.weightShape().dims(), dnnl_format_tag_any, type);
            dnnl_memory_desc bia = op.bias() ? s.plain(new long[] {1, op.units()}) : null;
            dnnl_memory_desc dst = s.plain(op.outputShape());
            dnnl_primitive_attr attr = s.postOps(false, relu);
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_matmul_primitive_desc_create (frozen)",
                    p -> dnnl_matmul_primitive_desc_create(p, dnnl.engine, src, wei, bia, dst, attr));
            dnnl_memory_desc chosenWei = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_WEIGHTS);
            long weiBytes = dnnl_memory_desc_get_size(chosenWei);
            kw = Tensor.allocate(pool, Shape.of((weiBytes + 3) / 4), DType.FP32);
            // One reorder packs the weights and, for BF16, rounds them to nearest even.
            try (Primitive pack = Reorders.build(dnnl, op, s.plain(op.weightShape()), chosenWei)) {
                pack.execute(w.address(), kw.address());
            }
            dnnl.await(op);
            if (b != null) {
                kb = Tensor.allocate(pool, op.biasShape(), DType.FP32);
                Pointer.memcpy(new Address(kb.address()), new Address(b.address()), b.bytes());
            }
            if (weights == DType.BF16) {
                r = Reorders.build(dnnl, op, x, src);
            }
            this.roundedBytes = dnnl_memory_desc_get_size(src);
            pd = s.release(pd);
            c = op.bias() ? new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST)
                    : new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST);
        } catch (RuntimeException e) {
            Closing.quietly("a frozen dense layer", r);
            Closing.quietly("a frozen dense layer", kw);
            Closing.quietly("a frozen dense layer", kb);
            throw e;
        }
        this.core = c;
        this.round = r;
        this.packed = kw;
        this.bias = kb;
    }

    /** Runs under the backend's lock, as every op of a CPU backend does. */
    @Override
    public void forward(Tensor x, Tensor y) {
        synchronized (lock) {
            checkForward(x, y);
            Block rounded = null;
            try {
                long src = x.address();
                if (round != null) {
                    rounded = pool.allocate(roundedBytes);
                    round.execute(x.address(), rounded.address());
                    src = rounded.address();
                }
                if (bias != null) {
                    core.execute(src, packed.address(), bias.address(), y.address());
                } else {
                    core.execute(src, packed.address(), y.address());
                }
            } finally {
                Closing.quietly("a frozen dense layer", rounded);
            }
        }
    }

    @Override
    public void close() {
        Closing.quietly("a frozen dense layer", core);
        Closing.quietly("a frozen dense layer", round);
        Closing.quietly("a frozen dense layer", packed);
        Closing.quietly("a frozen dense layer", bias);
    }
}
