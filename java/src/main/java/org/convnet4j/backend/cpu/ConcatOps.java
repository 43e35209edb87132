package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.List;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.PointerPointer;
import org.convnet4j.ops.Checks;
import org.convnet4j.ops.Concat;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/** Channel concatenation (oneDNN concat) and its backward split (one reorder per input from a channel window of dy). */
final class ConcatOps {
    private final Dnnl dnnl;
    private final PrimitiveCache cache;

    ConcatOps(Dnnl dnnl, PrimitiveCache cache) {
        this.dnnl = dnnl;
        this.cache = cache;
    }

    void forward(Concat op, List<Tensor> xs, Tensor y) {
        op.checkInputs("xs", xs);
        Checks.tensor(Concat.OP, "y", y, op.outputShape());
        Primitive p = cache.get(new Key("concat_fwd", op, false), () -> buildForward(op));
        long[] addresses = new long[xs.size() + 1];
        for (int i = 0; i < xs.size(); i++) {
            addresses[i] = xs.get(i).address();
        }
        addresses[xs.size()] = y.address();
        p.execute(addresses);
    }

    void backward(Concat op, Tensor dy, List<Tensor> dxs) {
        Checks.tensor(Concat.OP, "dy", dy, op.outputShape());
        op.checkInputs("dxs", dxs);
        long[] outer = op.outputShape().dims();
        for (int i = 0; i < dxs.size(); i++) {
            final int index = i;
            Primitive p = cache.get(new Key("concat_bwd_" + i, op, false), () -> {
                long[] dims = op.inputs().get(index).dims();
                long[] offsets = new long[dims.length];
                offsets[1] = op.offset(index);
                return Reorders.fromWindow(dnnl, op, dims, outer, offsets);
            });
            p.execute(dy.address(), dxs.get(i).address());
        }
    }

    private Primitive buildForward(Concat op) {
        int n = op.inputs().size();
        dnnl_memory_desc[] srcs = new dnnl_memory_desc[n];
        dnnl_memory_desc dst = Dnnl.plain(op.outputShape(), op);
        PointerPointer<dnnl_memory_desc> list = new PointerPointer<>(n);
        PointerPointer<dnnl_primitive_desc> out = new PointerPointer<>(1);
        try {
            for (int i = 0; i < n; i++) {
                Shape s = op.inputs().get(i);
                srcs[i] = Dnnl.plain(s, op);
                list.put(i, srcs[i]);
            }
            Dnnl.check(dnnl_concat_primitive_desc_create(out, dnnl.engine, dst, n, 1, list, null),
                    "dnnl_concat_primitive_desc_create", op);
            dnnl_primitive_desc pd = new dnnl_primitive_desc(out.get(0));
            int[] args = new int[n + 1];
            for (int i = 0; i < n; i++) {
                args[i] = DNNL_ARG_MULTIPLE_SRC + i;
            }
            args[n] = DNNL_ARG_DST;
            return new Primitive(dnnl, op, pd, args);
        } finally {
            Dnnl.destroy(srcs);
            Dnnl.destroy(dst);
            list.close();
            out.close();
        }
    }
}
