package org.convnet4j.backend.cuda;

import java.util.HashMap;
import java.util.Map;

import org.bytedeco.cuda.cudnn.cudnnActivationStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.convnet4j.ops.Checks;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Tensor;

/**
 * Relu forward on cuDNN's activation (in place allowed); relu backward from y, add, accumulate, fill
 * and copy as one pass each ({@code c4j_relu_backward_<type>}, {@code c4j_add_<type>}, {@code
 * c4j_accumulate_<type>}, {@code c4j_fill_<type>}, {@code cudaMemcpyAsync}), for FP32, BF16 and FP16
 * tensors alike (elementwise: the memory order does not matter, only that the operands share it).
 */
final class ElementwiseOps implements AutoCloseable {
    static final String RELU = "relu";
    static final String ADD = "add";
    static final String ACCUMULATE = "accumulate";

    private final CudaContext ctx;
    private final Kernels kernels;
    private final Descriptors descriptors = new Descriptors(RELU);
    private final cudnnActivationStruct relu;
    /** 1 x 1 x 1 x n descriptors by element count (the same few sizes recur every step). */
    private final Map<Long, cudnnTensorStruct> flat = new HashMap<>();
    /** The same for BF16 and FP16 activations (mixed precision). */
    private final Map<Long, cudnnTensorStruct> flatBf16 = new HashMap<>();
    private final Map<Long, cudnnTensorStruct> flatFp16 = new HashMap<>();

    ElementwiseOps(CudaContext ctx, Kernels kernels) {
        this.ctx = ctx;
        this.kernels = kernels;
        this.relu = descriptors.relu();
    }

    void reluForward(Tensor x, Tensor y) {
        Checks.present(RELU, "x", x);
        Checks.anyLayout(RELU, "y", y, x.shape(), x.dtype());
        DType t = x.dtype();
        Map<Long, cudnnTensorStruct> cache = t == DType.BF16 ? flatBf16 : t == DType.FP16 ? flatFp16 : flat;
        cudnnTensorStruct d = cache.computeIfAbsent(x.size(), n -> descriptors.flat(n, t));
        CudaStatus.cudnn(cudnn.cudnnActivationForward(ctx.cudnn(), relu, ctx.one(), d, DevicePointer.of(x), ctx.zero(), d,
                DevicePointer.of(y)), "cudnnActivationForward(relu)", RELU + " of " + x.shape());
    }

    void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        Checks.present(RELU, "y", y);
        Checks.anyLayout(RELU, "dy", dy, y.shape(), y.dtype());
        Checks.anyLayout(RELU, "dx", dx, y.shape(), y.dtype());
        kernels.elementwise(Formats.kernel("c4j_relu_backward", y.dtype()), y.size()).ptr(y).ptr(dy).ptr(dx).i64(y.size())
                .go(RELU + " backward of " + y.shape());
    }

    void add(Tensor a, Tensor b, Tensor y) {
        Checks.present(ADD, "a", a);
        Checks.anyLayout(ADD, "b", b, a.shape(), a.dtype());
        Checks.anyLayout(ADD, "y", y, a.shape(), a.dtype());
        kernels.elementwise(Formats.kernel("c4j_add", a.dtype()), a.size()).ptr(a).ptr(b).ptr(y).i64(a.size()).go(ADD + " of " + a.shape());
    }

    void accumulate(Tensor src, Tensor dst) {
        Checks.present(ACCUMULATE, "src", src);
        Checks.anyLayout(ACCUMULATE, "dst", dst, src.shape(), src.dtype());
        kernels.elementwise(Formats.kernel("c4j_accumulate", src.dtype()), src.size()).ptr(src).ptr(dst).i64(src.size())
                .go(ACCUMULATE + " of " + src.shape());
    }

    void fill(Tensor t, float value) {
        Checks.present("fill", "t", t);
        // INT32 (labels) takes the float kernel as before: the bits of value as a float
        String kernel = t.dtype() == DType.INT32 ? "c4j_fill_f32" : Formats.kernel("c4j_fill", t.dtype());
        kernels.elementwise(kernel, t.size()).ptr(t).i64(t.size()).f32(value).go("fill of " + t.shape());
    }

    void copy(Tensor src, Tensor dst) {
        if (src == null) {
            throw new IllegalArgumentException("copy: src is null");
        }
        Checks.anyLayout("copy", "src", src, src.shape(), src.dtype());
        Checks.anyLayout("copy", "dst", dst, src.shape(), src.dtype());
        if (src.layout() != dst.layout()) {
            throw new IllegalArgumentException("copy: src and dst must have the same memory order (convert changes it)."
                    + " Received " + src + " and " + dst);
        }
        ctx.makeCurrent();
        CudaStatus.runtime(cudart.cudaMemcpyAsync(DevicePointer.of(dst), DevicePointer.of(src), src.bytes(),
                cudart.cudaMemcpyDeviceToDevice, ctx.stream()), "cudaMemcpyAsync(device to device)", "copy of " + src.shape());
    }

    @Override
    public void close() {
        descriptors.close();
    }
}
