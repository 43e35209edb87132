package org.convnet4j.backend.cuda;

import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Zero padding: {@code c4j_pad2d_f32} writes every output cell (zeros outside), backward crops ({@code
 * c4j_crop2d_f32}); BF16/FP16 NHWC activations take {@code c4j_pad2d_nhwc_<type>} and {@code
 * c4j_crop2d_nhwc_<type>}.
 */
final class ZeroPadOps {
    private final Kernels kernels;

    ZeroPadOps(Kernels kernels) {
        this.kernels = kernels;
    }

    void forward(ZeroPad2d op, Tensor x, Tensor y) {
        op.checkForward(x, y);
        launch("c4j_pad2d_f32", "c4j_pad2d_nhwc", op, op.outputShape().size(), x, y);
    }

    void backward(ZeroPad2d op, Tensor dy, Tensor dx) {
        op.checkBackward(dy, dx);
        launch("c4j_crop2d_f32", "c4j_crop2d_nhwc", op, op.input().size(), dy, dx);
    }

    private void launch(String plain, String nhwc, ZeroPad2d op, long n, Tensor from, Tensor to) {
        Shape in = op.input();
        Shape out = op.outputShape();
        if (Formats.half(from.dtype())) {
            kernels.elementwise(Formats.kernel(nhwc, from.dtype()), n).ptr(from).ptr(to).i32(in.intDim(0))
                    .i32(in.intDim(2)).i32(in.intDim(3)).i32(in.intDim(1)).i32(op.pads().top()).i32(op.pads().left())
                    .i32(out.intDim(2)).i32(out.intDim(3)).go(op);
            return;
        }
        kernels.elementwise(plain, n).ptr(from).ptr(to).i32(Math.toIntExact(in.dim(0) * in.dim(1))).i32(in.intDim(2))
                .i32(in.intDim(3)).i32(op.pads().top()).i32(op.pads().left()).i32(out.intDim(2)).i32(out.intDim(3)).go(op);
    }
}
