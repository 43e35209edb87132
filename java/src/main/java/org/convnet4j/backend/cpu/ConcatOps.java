package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.List;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.PointerPointer;
import org.convnet4j.ops.Checks;
import org.convnet4j.ops.Concat;
import org.convnet4j.tensor.Tensor;

/** Channel concatenation (oneDNN concat) and its backward split (one reorder per input from a channel window of dy). */
final class ConcatOps {
    /** The backward reorder of one input: its channel window of dy out to dx. */
    private record Split(Concat op, int input, Format format) {
    }

    /** The forward of the op with every tensor stored in one format. */
    private record Forward(Concat op, Format format) {
    }

    private final Dnnl dnnl;
    private final PrimitiveCache.Table<Forward, Primitive> forwardCache;
    private final PrimitiveCache.Table<Split, Primitive> splitCache;

    ConcatOps(Dnnl dnnl, PrimitiveCache cache) {
        this.dnnl = dnnl;
        this.forwardCache = cache.table(this::buildForward);
        this.splitCache = cache.table(this::buildSplit);
    }

    void forward(Concat op, List<Tensor> xs, Tensor y) {
        op.checkInputs("xs", xs);
        Checks.activation(Concat.OP, "y", y, op.outputShape());
        Format f = Format.of(y);
        for (Tensor x : xs) {
            Formats.same(Concat.OP, x, y);
        }
        Primitive p = forwardCache.get(new Forward(op, f));
        long[] addresses = new long[xs.size() + 1];
        for (int i = 0; i < xs.size(); i++) {
            addresses[i] = xs.get(i).address();
        }
        addresses[xs.size()] = y.address();
        p.execute(addresses);
    }

    void backward(Concat op, Tensor dy, List<Tensor> dxs) {
        Checks.activation(Concat.OP, "dy", dy, op.outputShape());
        op.checkInputs("dxs", dxs);
        for (int i = 0; i < dxs.size(); i++) {
            Primitive p = splitCache.get(new Split(op, i, Formats.same(Concat.OP, dxs.get(i), dy)));
            p.execute(dy.address(), dxs.get(i).address());
        }
    }

    private Primitive buildSplit(Split key) {
        Concat op = key.op();
        long[] dims = op.inputs().get(key.input()).dims();
        long[] offsets = new long[dims.length];
        offsets[1] = op.offset(key.input());
        return Reorders.fromWindow(dnnl, op, dims, op.outputShape().dims(), offsets, key.format());
    }

    private Primitive buildForward(Forward key) {
        Concat op = key.op();
        int n = op.inputs().size();
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_memory_desc dst = s.of(op.outputShape(), key.format());
            PointerPointer<dnnl_memory_desc> list = s.pointer(new PointerPointer<>(n));
            PointerPointer<dnnl_primitive_desc> out = s.pointer(new PointerPointer<>(1));
            for (int i = 0; i < n; i++) {
                list.put(i, s.of(op.inputs().get(i), key.format()));
            }
            Dnnl.check(dnnl_concat_primitive_desc_create(out, dnnl.engine, dst, n, 1, list, null),
                    "dnnl_concat_primitive_desc_create", op);
            dnnl_primitive_desc pd = s.primitiveDesc(new dnnl_primitive_desc(out.get(0)));
            int[] args = new int[n + 1];
            for (int i = 0; i < n; i++) {
                args[i] = DNNL_ARG_MULTIPLE_SRC + i;
            }
            args[n] = DNNL_ARG_DST;
            return new Primitive(dnnl, op, s.release(pd), args);
        }
    }
}
