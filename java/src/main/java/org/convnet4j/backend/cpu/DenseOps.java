package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convnet4j.ops.Dense;
import org.convnet4j.tensor.Tensor;

/**
 * Dense layers as oneDNN matmul. The transposes of the backward passes are free: they are strided
 * memory descriptors over the same storage ({@code W^T} is W read with strides (1, units)), so no
 * transposed copy is ever made.
 */
final class DenseOps {
    private final Dnnl dnnl;
    private final PrimitiveCache cache;

    DenseOps(Dnnl dnnl, PrimitiveCache cache) {
        this.dnnl = dnnl;
        this.cache = cache;
    }

    void forward(Dense op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        op.checkForward(x, w, bias, y);
        Primitive p = cache.get(new Key("dense_fwd", op, false), () -> buildForward(op));
        if (op.bias()) {
            p.execute(x.address(), w.address(), bias.address(), y.address());
        } else {
            p.execute(x.address(), w.address(), y.address());
        }
    }

    void backwardData(Dense op, Tensor dy, Tensor w, Tensor dx) {
        op.checkBackwardData(dy, w, dx);
        long n = op.input().dim(0);
        long in = op.inFeatures();
        long units = op.units();
        Primitive p = cache.get(new Key("dense_bwd_data", op, false),
                () -> matmul(op, new long[] {n, units}, new long[] {units, 1},
                        new long[] {units, in}, new long[] {1, units}, new long[] {n, in}));
        p.execute(dy.address(), w.address(), dx.address());
    }

    void backwardWeights(Dense op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        op.checkBackwardWeights(x, dy, dw, dbias);
        long n = op.input().dim(0);
        long in = op.inFeatures();
        long units = op.units();
        Primitive p = cache.get(new Key("dense_bwd_weights", op, false),
                () -> matmul(op, new long[] {in, n}, new long[] {1, in},
                        new long[] {n, units}, new long[] {units, 1}, new long[] {in, units}));
        p.execute(x.address(), dy.address(), dw.address());
        if (dbias != null) {
            if (n == 1) {
                // oneDNN refuses a reduction that reduces nothing; with one row the sum is the row.
                org.bytedeco.javacpp.Pointer.memcpy(new Address(dbias.address()), new Address(dy.address()), dbias.bytes());
                return;
            }
            Primitive r = cache.get(new Key("dense_bwd_bias", op, false), () -> buildBiasReduction(op));
            r.execute(dy.address(), dbias.address());
        }
    }

    private Primitive buildForward(Dense op) {
        long n = op.input().dim(0);
        dnnl_memory_desc src = Dnnl.plain(op.input(), op);
        dnnl_memory_desc wei = Dnnl.plain(op.weightShape(), op);
        dnnl_memory_desc bia = op.bias() ? Dnnl.plain(new long[] {1, op.units()}, op) : null;
        dnnl_memory_desc dst = Dnnl.plain(op.outputShape(), op);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            Dnnl.check(dnnl_matmul_primitive_desc_create(pd, dnnl.engine, src, wei, bia, dst, null),
                    "dnnl_matmul_primitive_desc_create", op);
            return op.bias() ? new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST)
                    : new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST);
        } finally {
            Dnnl.destroy(src, wei, bia, dst);
        }
    }

    /** dst[m x n] = a[m x k] . b[k x n] with a and b given by dims and strides (transposes as strides). */
    private Primitive matmul(Dense op, long[] aDims, long[] aStrides, long[] bDims, long[] bStrides, long[] dstDims) {
        dnnl_memory_desc a = Dnnl.withStrides(aDims, aStrides, op);
        dnnl_memory_desc b = Dnnl.withStrides(bDims, bStrides, op);
        dnnl_memory_desc dst = Dnnl.plain(dstDims, op);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            Dnnl.check(dnnl_matmul_primitive_desc_create(pd, dnnl.engine, a, b, null, dst, null),
                    "dnnl_matmul_primitive_desc_create", op);
            return new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST);
        } finally {
            Dnnl.destroy(a, b, dst);
        }
    }

    private Primitive buildBiasReduction(Dense op) {
        dnnl_memory_desc src = Dnnl.plain(op.outputShape(), op);
        dnnl_memory_desc dst = Dnnl.plain(new long[] {1, op.units()}, op);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            Dnnl.check(dnnl_reduction_primitive_desc_create(pd, dnnl.engine, dnnl_reduction_sum, src, dst, 0f, 0f, null),
                    "dnnl_reduction_primitive_desc_create", op);
            return new Primitive(dnnl, op, pd, DNNL_ARG_SRC, DNNL_ARG_DST);
        } finally {
            Dnnl.destroy(src, dst);
        }
    }
}
