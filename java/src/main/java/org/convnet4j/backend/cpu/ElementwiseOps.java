package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convnet4j.ops.Checks;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/** Relu (oneDNN eltwise forward, our kernel backward), add and gradient accumulation (oneDNN binary). */
final class ElementwiseOps {
    static final String RELU = "relu";
    static final String ADD = "add";
    static final String ACCUMULATE = "accumulate";

    private final Dnnl dnnl;
    /** {@code y = a + b} by shape. */
    private final PrimitiveCache.Table<Shape, Primitive> addCache;
    /** {@code y = relu(a + b)} by shape. */
    private final PrimitiveCache.Table<Shape, Primitive> addReluCache;

    ElementwiseOps(Dnnl dnnl, PrimitiveCache cache) {
        this.dnnl = dnnl;
        this.addCache = cache.table(s -> buildAdd(s, false));
        this.addReluCache = cache.table(s -> buildAdd(s, true));
    }

    void reluForward(Tensor x, Tensor y) {
        Shape s = Checks.present(RELU, "x", x);
        Checks.tensor(RELU, "y", y, s);
        // Our loop, not oneDNN's eltwise relu: its x86 JIT computes max(x, 0), which turns a NaN into 0.
        CpuKernels.reluForward(x.address(), y.address(), s.size());
    }

    void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        Shape s = Checks.present(RELU, "y", y);
        Checks.tensor(RELU, "dy", dy, s);
        Checks.tensor(RELU, "dx", dx, s);
        CpuKernels.reluBackward(y.address(), dy.address(), dx.address(), s.size());
    }

    void add(Tensor a, Tensor b, Tensor y) {
        Shape s = Checks.present(ADD, "a", a);
        Checks.tensor(ADD, "b", b, s);
        Checks.tensor(ADD, "y", y, s);
        binaryAdd(s, a.address(), b.address(), y.address());
    }

    void accumulate(Tensor src, Tensor dst) {
        Shape s = Checks.present(ACCUMULATE, "src", src);
        Checks.tensor(ACCUMULATE, "dst", dst, s);
        binaryAdd(s, dst.address(), src.address(), dst.address());
    }

    /** {@code y = relu(a + b)} in one pass (binary add with a relu post-op); y may be a. */
    void addRelu(Tensor a, Tensor b, Tensor y) {
        Shape s = Checks.present(ADD, "a", a);
        Checks.tensor(ADD, "b", b, s);
        Checks.tensor(ADD, "y", y, s);
        Primitive p = addReluCache.get(s);
        p.execute(a.address(), b.address(), y.address());
    }

    private void binaryAdd(Shape s, long a, long b, long y) {
        Primitive p = addCache.get(s);
        p.execute(a, b, y);
    }

    private Primitive buildAdd(Shape s, boolean relu) {
        String op = ADD + (relu ? "_relu(" : "(") + s + ")";
        try (DnnlScope scope = new DnnlScope(op)) {
            dnnl_memory_desc md = scope.plain(s);
            dnnl_primitive_attr attr = scope.postOps(false, relu);
            dnnl_primitive_desc pd = scope.primitiveDesc("dnnl_binary_primitive_desc_create",
                    p -> dnnl_binary_primitive_desc_create(p, dnnl.engine, dnnl_binary_add, md, md, md, attr));
            return new Primitive(dnnl, op, scope.release(pd), DNNL_ARG_SRC_0, DNNL_ARG_SRC_1, DNNL_ARG_DST);
        }
    }
}
