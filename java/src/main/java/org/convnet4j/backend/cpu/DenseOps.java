package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convnet4j.ops.Checks;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.tensor.Tensor;

/**
 * DenseOp layers as oneDNN matmul. The transposes of the backward passes are free: they are strided
 * memory descriptors over the same storage ({@code W^T} is W read with strides (1, units)), so no
 * transposed copy is ever made.
 */
final class DenseOps {
    private final Dnnl dnnl;
    private final PrimitiveCache.Table<DenseOp, Primitive> forwardCache;
    private final PrimitiveCache.Table<DenseOp, Primitive> backwardDataCache;
    private final PrimitiveCache.Table<DenseOp, Primitive> backwardWeightsCache;
    private final PrimitiveCache.Table<DenseOp, Primitive> biasReductionCache;

    DenseOps(Dnnl dnnl, PrimitiveCache cache) {
        this.dnnl = dnnl;
        this.forwardCache = cache.table(this::buildForward);
        this.backwardDataCache = cache.table(this::buildBackwardData);
        this.backwardWeightsCache = cache.table(this::buildBackwardWeights);
        this.biasReductionCache = cache.table(this::buildBiasReduction);
    }

    void forward(DenseOp op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        op.checkForward(x, w, bias, y);
        Checks.plain(DenseOp.OP, x, y);
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
        Primitive p = backwardDataCache.get(op);
        p.execute(dy.address(), w.address(), dx.address());
    }

    void backwardWeights(DenseOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        op.checkBackwardWeights(x, dy, dw, dbias);
        Checks.plain(DenseOp.OP, x, dy);
        Primitive p = backwardWeightsCache.get(op);
        p.execute(x.address(), dy.address(), dw.address());
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
