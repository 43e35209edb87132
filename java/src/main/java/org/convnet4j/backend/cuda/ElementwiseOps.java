package org.convnet4j.backend.cuda;

import java.util.HashMap;
import java.util.Map;

import org.bytedeco.cuda.cudnn.cudnnActivationStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.convnet4j.ops.Checks;
import org.convnet4j.tensor.Tensor;

/**
 * Relu forward on cuDNN's activation (in place allowed); relu backward from y, add, accumulate, fill
 * and copy as one pass each ({@code c4j_relu_backward_f32}, {@code c4j_add_f32}, {@code
 * c4j_accumulate_f32}, {@code c4j_fill_f32}, {@code cudaMemcpyAsync}).
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

    ElementwiseOps(CudaContext ctx, Kernels kernels) {
        this.ctx = ctx;
        this.kernels = kernels;
        this.relu = descriptors.relu();
    }

    void reluForward(Tensor x, Tensor y) {
        Checks.present(RELU, "x", x);
        Checks.tensor(RELU, "y", y, x.shape());
        cudnnTensorStruct d = flat.computeIfAbsent(x.size(), descriptors::flat);
        CudaStatus.cudnn(cudnn.cudnnActivationForward(ctx.cudnn(), relu, ctx.one(), d, DevicePointer.of(x), ctx.zero(), d,
                DevicePointer.of(y)), "cudnnActivationForward(relu)", RELU + " of " + x.shape());
    }

    void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        Checks.present(RELU, "y", y);
        Checks.tensor(RELU, "dy", dy, y.shape());
        Checks.tensor(RELU, "dx", dx, y.shape());
        kernels.elementwise("c4j_relu_backward_f32", y.size()).ptr(y).ptr(dy).ptr(dx).i64(y.size())
                .go(RELU + " backward of " + y.shape());
    }

    void add(Tensor a, Tensor b, Tensor y) {
        Checks.present(ADD, "a", a);
        Checks.tensor(ADD, "b", b, a.shape());
        Checks.tensor(ADD, "y", y, a.shape());
        kernels.elementwise("c4j_add_f32", a.size()).ptr(a).ptr(b).ptr(y).i64(a.size()).go(ADD + " of " + a.shape());
    }

    void accumulate(Tensor src, Tensor dst) {
        Checks.present(ACCUMULATE, "src", src);
        Checks.tensor(ACCUMULATE, "dst", dst, src.shape());
        kernels.elementwise("c4j_accumulate_f32", src.size()).ptr(src).ptr(dst).i64(src.size())
                .go(ACCUMULATE + " of " + src.shape());
    }

    void fill(Tensor t, float value) {
        Checks.present("fill", "t", t);
        kernels.elementwise("c4j_fill_f32", t.size()).ptr(t).i64(t.size()).f32(value).go("fill of " + t.shape());
    }

    void copy(Tensor src, Tensor dst) {
        if (src == null) {
            throw new IllegalArgumentException("copy: src is null");
        }
        Checks.tensor("copy", "src", src, src.shape(), src.dtype());
        Checks.tensor("copy", "dst", dst, src.shape(), src.dtype());
        ctx.makeCurrent();
        CudaStatus.runtime(cudart.cudaMemcpyAsync(DevicePointer.of(dst), DevicePointer.of(src), src.bytes(),
                cudart.cudaMemcpyDeviceToDevice, ctx.stream()), "cudaMemcpyAsync(device to device)", "copy of " + src.shape());
    }

    @Override
    public void close() {
        descriptors.close();
    }
}
