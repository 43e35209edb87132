package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convnet4j.ops.Checks;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/** Relu (oneDNN eltwise forward, our kernel backward), add and gradient accumulation (oneDNN binary). */
final class ElementwiseOps {
    static final String RELU = "relu";
    static final String ADD = "add";
    static final String ACCUMULATE = "accumulate";

    private final Dnnl dnnl;
    /** A binary primitive's tensors: all of one shape, all stored in one format. */
    private record Key(Shape shape, Format format) {
    }

    /** {@code y = a + b} by shape and format. */
    private final PrimitiveCache.Table<Key, Primitive> addCache;
    /** {@code y = relu(a + b)} by shape and format. */
    private final PrimitiveCache.Table<Key, Primitive> addReluCache;

    ElementwiseOps(Dnnl dnnl, PrimitiveCache cache) {
        this.dnnl = dnnl;
        this.addCache = cache.table(s -> buildAdd(s, false));
        this.addReluCache = cache.table(s -> buildAdd(s, true));
    }

    void reluForward(Tensor x, Tensor y) {
        Shape s = Checks.present(RELU, "x", x);
        Checks.activation(RELU, "x", x, s);
        Checks.activation(RELU, "y", y, s);
        // Our loop, not oneDNN's eltwise relu: its x86 JIT computes max(x, 0), which turns a NaN into 0.
        if (Formats.same(RELU, x, y).dtype() == DType.BF16) {
            CpuKernels.reluForwardBf16(x.address(), y.address(), s.size());
        } else {
            CpuKernels.reluForward(x.address(), y.address(), s.size());
        }
    }

    void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        Shape s = Checks.present(RELU, "y", y);
        Checks.activation(RELU, "y", y, s);
        Checks.activation(RELU, "dy", dy, s);
        Checks.activation(RELU, "dx", dx, s);
        Formats.same(RELU, y, dy);
        if (Formats.same(RELU, dy, dx).dtype() == DType.BF16) {
            CpuKernels.reluBackwardBf16(y.address(), dy.address(), dx.address(), s.size());
        } else {
            CpuKernels.reluBackward(y.address(), dy.address(), dx.address(), s.size());
        }
    }

    void add(Tensor a, Tensor b, Tensor y) {
        Key k = binary(ADD, "a", a, "b", b, "y", y);
        addCache.get(k).execute(a.address(), b.address(), y.address());
    }

    void accumulate(Tensor src, Tensor dst) {
        Key k = binary(ACCUMULATE, "src", src, "dst", dst, "dst", dst);
        addCache.get(k).execute(dst.address(), src.address(), dst.address());
    }

    /** {@code y = relu(a + b)} in one pass (binary add with a relu post-op); y may be a. */
    void addRelu(Tensor a, Tensor b, Tensor y) {
        Key k = binary(ADD, "a", a, "b", b, "y", y);
        addReluCache.get(k).execute(a.address(), b.address(), y.address());
    }

    /** Three tensors of one shape, each an activation in the same format: the key of their primitive. */
    private static Key binary(String op, String an, Tensor a, String bn, Tensor b, String yn, Tensor y) {
        Shape s = Checks.present(op, an, a);
        Checks.activation(op, an, a, s);
        Checks.activation(op, bn, b, s);
        Checks.activation(op, yn, y, s);
        Formats.same(op, a, b);
        return new Key(s, Formats.same(op, a, y));
    }

    private Primitive buildAdd(Key k, boolean relu) {
        Shape s = k.shape();
        String op = ADD + (relu ? "_relu(" : "(") + s + ", " + k.format() + ")";
        try (DnnlScope scope = new DnnlScope(op)) {
            dnnl_memory_desc md = scope.of(s, k.format());
            dnnl_primitive_attr attr = scope.postOps(false, relu);
            dnnl_primitive_desc pd = scope.primitiveDesc("dnnl_binary_primitive_desc_create",
                    p -> dnnl_binary_primitive_desc_create(p, dnnl.engine, dnnl_binary_add, md, md, md, attr));
            return new Primitive(dnnl, op, scope.release(pd), DNNL_ARG_SRC_0, DNNL_ARG_SRC_1, DNNL_ARG_DST);
        }
    }
}
