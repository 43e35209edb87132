package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.Checks;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Tensor;

/**
 * DenseOp layers as oneDNN matmul. The transposes of the backward passes are free: they are strided
 * memory descriptors over the same storage ({@code W^T} is W read with strides (1, units)), so no
 * transposed copy is ever made.
 *
 * <p>An op whose {@link DenseOp#compute()} is BF16 runs oneDNN's bf16 matmul on the same FP32
 * tensors: x, dy (and the transposes) are rounded into pooled BF16 scratch ({@link Staged}, counted
 * as conversions), W into a BF16 copy in the layout the kernel picks (a weight reorder), and every
 * product accumulates in FP32 into FP32 y, dx and dW. The bias gradient sums the FP32 dy.
 */
final class DenseOps {
    private final Dnnl dnnl;
    private final MemoryPool pool;
    private final PrimitiveCache.Table<DenseOp, Staged> bf16ForwardCache;
    private final PrimitiveCache.Table<DenseOp, Staged> bf16BackwardDataCache;
    private final PrimitiveCache.Table<DenseOp, Staged> bf16BackwardWeightsCache;
    private final PrimitiveCache.Table<DenseOp, Primitive> forwardCache;
    private final PrimitiveCache.Table<DenseOp, Primitive> backwardDataCache;
    private final PrimitiveCache.Table<DenseOp, Primitive> backwardWeightsCache;
    private final PrimitiveCache.Table<DenseOp, Primitive> biasReductionCache;

    DenseOps(Dnnl dnnl, PrimitiveCache cache, MemoryPool pool) {
        this.dnnl = dnnl;
        this.pool = pool;
        this.bf16ForwardCache = cache.table(this::buildBf16Forward);
        this.bf16BackwardDataCache = cache.table(this::buildBf16BackwardData);
        this.bf16BackwardWeightsCache = cache.table(this::buildBf16BackwardWeights);
        this.forwardCache = cache.table(this::buildForward);
        this.backwardDataCache = cache.table(this::buildBackwardData);
        this.backwardWeightsCache = cache.table(this::buildBackwardWeights);
        this.biasReductionCache = cache.table(this::buildBiasReduction);
    }

    void forward(DenseOp op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        op.checkForward(x, w, bias, y);
        Checks.plain(DenseOp.OP, x, y);
        if (bf16(op)) {
            Staged p = bf16ForwardCache.get(op);
            if (op.bias()) {
                p.execute(pool, x.address(), w.address(), bias.address(), y.address());
            } else {
                p.execute(pool, x.address(), w.address(), y.address());
            }
            return;
        }
        Primitive p = forwardCache.get(op);
        if (op.bias()) {
            p.execute(x.address(), w.address(), bias.address(), y.address());
        } else {
            p.execute(x.address(), w.address(), y.address());
        }
    }

    void backwardData(DenseOp op, Tensor dy, Tensor w, Tensor dx) {
        op.checkBackwardData(dy, w, dx);
        Checks.plain(DenseOp.OP, dy, dx);
        if (bf16(op)) {
            bf16BackwardDataCache.get(op).execute(pool, dy.address(), w.address(), dx.address());
            return;
        }
        Primitive p = backwardDataCache.get(op);
        p.execute(dy.address(), w.address(), dx.address());
    }

    void backwardWeights(DenseOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        op.checkBackwardWeights(x, dy, dw, dbias);
        Checks.plain(DenseOp.OP, x, dy);
        if (bf16(op)) {
            bf16BackwardWeightsCache.get(op).execute(pool, x.address(), dy.address(), dw.address());
        } else {
            backwardWeightsCache.get(op).execute(x.address(), dy.address(), dw.address());
        }
        if (dbias != null) {
            if (op.input().dim(0) == 1) {
                // oneDNN refuses a reduction that reduces nothing; with one row the sum is the row.
                org.bytedeco.javacpp.Pointer.memcpy(new Address(dbias.address()), new Address(dy.address()), dbias.bytes());
                return;
            }
            Primitive r = biasReductionCache.get(op);
            r.execute(dy.address(), dbias.address());
        }
    }

    private Primitive buildForward(DenseOp op) {
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_memory_desc src = s.plain(op.input());
            dnnl_memory_desc wei = s.plain(op.weightShape());
            dnnl_memory_desc bia = op.bias() ? s.plain(new long[] {1, op.units()}) : null;
            dnnl_memory_desc dst = s.plain(op.outputShape());
            dnnl_primitive_desc pd = s.release(s.primitiveDesc("dnnl_matmul_primitive_desc_create",
                    p -> dnnl_matmul_primitive_desc_create(p, dnnl.engine, src, wei, bia, dst, null)));
            return op.bias() ? new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST)
                    : new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST);
        }
    }

    /** dx[n x in] = dy[n x units] . W^T, W^T being W [in x units] read with strides (1, units). */
    private Primitive buildBackwardData(DenseOp op) {
        long n = op.input().dim(0);
        long in = op.inFeatures();
        long units = op.units();
        return matmul(op, new long[] {n, units}, new long[] {units, 1},
                new long[] {units, in}, new long[] {1, units}, new long[] {n, in});
    }

    /** dW[in x units] = x^T . dy, x^T being x [n x in] read with strides (1, in). */
    private Primitive buildBackwardWeights(DenseOp op) {
        long n = op.input().dim(0);
        long in = op.inFeatures();
        long units = op.units();
        return matmul(op, new long[] {in, n}, new long[] {1, in},
                new long[] {n, units}, new long[] {units, 1}, new long[] {in, units});
    }

    /** dst[m x n] = a[m x k] . b[k x n] with a and b given by dims and strides (transposes as strides). */
    private Primitive matmul(DenseOp op, long[] aDims, long[] aStrides, long[] bDims, long[] bStrides, long[] dstDims) {
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_memory_desc a = s.withStrides(aDims, aStrides);
            dnnl_memory_desc b = s.withStrides(bDims, bStrides);
            dnnl_memory_desc dst = s.plain(dstDims);
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_matmul_primitive_desc_create",
                    p -> dnnl_matmul_primitive_desc_create(p, dnnl.engine, a, b, null, dst, null));
            return new Primitive(dnnl, op, s.release(pd), DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST);
        }
    }

    /** Whether op computes in BF16; FP16 is refused (the CPU backend has no half kernels). */
    private static boolean bf16(DenseOp op) {
        if (op.compute() == DType.FP16) {
            throw new IllegalArgumentException(DenseOp.OP + ": the cpu backend computes no FP16 (IEEE half) matmul;"
                    + " use BF16 or FP32 (fp16 runs on CUDA). Received " + op);
        }
        return op.compute() == DType.BF16;
    }

    /** y[n x units] = bf16(x) . bf16(W) + bias, accumulated and written in FP32. */
    private Staged buildBf16Forward(DenseOp op) {
        long[] xDims = op.input().dims();
        long[] wDims = op.weightShape().dims();
        long[] yDims = op.outputShape().dims();
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_memory_desc src = s.withTag(xDims, dnnl_ab, dnnl_bf16);
            dnnl_memory_desc wei = s.withTag(wDims, dnnl_format_tag_any, dnnl_bf16);
            dnnl_memory_desc bia = op.bias() ? s.plain(new long[] {1, op.units()}) : null;
            dnnl_memory_desc dst = s.plain(yDims);
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_matmul_primitive_desc_create (bf16)",
                    p -> dnnl_matmul_primitive_desc_create(p, dnnl.engine, src, wei, bia, dst, null));
            if (op.bias()) {
                return new Staged(dnnl, op, s.release(pd),
                        new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                        new dnnl_memory_desc[] {s.plain(xDims), s.plain(wDims), null, s.plain(yDims)},
                        new boolean[] {false, false, false, true}, new boolean[] {false, true, false, false}, true);
            }
            return new Staged(dnnl, op, s.release(pd), new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
                    new dnnl_memory_desc[] {s.plain(xDims), s.plain(wDims), s.plain(yDims)},
                    new boolean[] {false, false, true}, new boolean[] {false, true, false}, true);
        }
    }

    /** dx[n x in] = bf16(dy) . bf16(W)^T in FP32; W^T read from W's storage by the weight reorder. */
    private Staged buildBf16BackwardData(DenseOp op) {
        long n = op.input().dim(0);
        long in = op.inFeatures();
        long units = op.units();
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_memory_desc a = s.withTag(new long[] {n, units}, dnnl_ab, dnnl_bf16);
            dnnl_memory_desc b = s.withTag(new long[] {units, in}, dnnl_format_tag_any, dnnl_bf16);
            dnnl_memory_desc dst = s.plain(new long[] {n, in});
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_matmul_primitive_desc_create (bf16 backward data)",
                    p -> dnnl_matmul_primitive_desc_create(p, dnnl.engine, a, b, null, dst, null));
            return new Staged(dnnl, op, s.release(pd), new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
                    new dnnl_memory_desc[] {s.plain(new long[] {n, units}),
                            s.withStrides(new long[] {units, in}, new long[] {1, units}), s.plain(new long[] {n, in})},
                    new boolean[] {false, false, true}, new boolean[] {false, true, false}, true);
        }
    }

    /** dW[in x units] = bf16(x)^T . bf16(dy) in FP32 (the master weights' type). */
    private Staged buildBf16BackwardWeights(DenseOp op) {
        long n = op.input().dim(0);
        long in = op.inFeatures();
        long units = op.units();
        long[] xt = {in, n};
        long[] xtStrides = {1, in};
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_memory_desc a = s.withStrides(xt, xtStrides, dnnl_bf16);
            dnnl_memory_desc b = s.withTag(new long[] {n, units}, dnnl_ab, dnnl_bf16);
            dnnl_memory_desc dst = s.plain(new long[] {in, units});
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_matmul_primitive_desc_create (bf16 backward weights)",
                    p -> dnnl_matmul_primitive_desc_create(p, dnnl.engine, a, b, null, dst, null));
            // dy is the matmul's WEIGHTS argument here but an activation gradient: its rounding is a
            // conversion, and no argument is a weight.
            return new Staged(dnnl, op, s.release(pd), new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
                    new dnnl_memory_desc[] {s.withStrides(xt, xtStrides), s.plain(new long[] {n, units}),
                            s.plain(new long[] {in, units})},
                    new boolean[] {false, false, true}, new boolean[3], true);
        }
    }

    /** dbias[1 x units] = the column sums of dy [n x units]. */
    private Primitive buildBiasReduction(DenseOp op) {
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_memory_desc src = s.plain(op.outputShape());
            dnnl_memory_desc dst = s.plain(new long[] {1, op.units()});
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_reduction_primitive_desc_create",
                    p -> dnnl_reduction_primitive_desc_create(p, dnnl.engine, dnnl_reduction_sum, src, dst, 0f, 0f, null));
            return new Primitive(dnnl, op, s.release(pd), DNNL_ARG_SRC, DNNL_ARG_DST);
        }
    }
}
