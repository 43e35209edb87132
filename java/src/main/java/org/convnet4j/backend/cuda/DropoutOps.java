package org.convnet4j.backend.cuda;

import org.convnet4j.ops.DropoutOp;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Inverted dropout with the counter-based Philox mask of {@code c4j_dropout_f32} ({@code c4j_dropout_nhwc_<type>} for BF16/FP16 NHWC, where each element takes the mask of its NCHW index): the mask is a
 * function of (seed, step, index), so backward recomputes it instead of storing it, and the CPU
 * backend draws the very same mask.
 */
final class DropoutOps {
    private final Kernels kernels;

    DropoutOps(Kernels kernels) {
        this.kernels = kernels;
    }

    void forward(DropoutOp op, long step, Tensor x, Tensor y) {
        op.check("x", x, "y", y);
        launch(op, step, x, y);
    }

    void backward(DropoutOp op, long step, Tensor dy, Tensor dx) {
        op.check("dy", dy, "dx", dx);
        launch(op, step, dy, dx);
    }

    private void launch(DropoutOp op, long step, Tensor from, Tensor to) {
        long n = from.size();
        if (Formats.half(from.dtype())) {
            // NHWC: each element takes its NCHW index's mask, one Philox call per element
            Shape s = from.shape();
            kernels.elementwise(Formats.kernel("c4j_dropout_nhwc", from.dtype()), n).ptr(from).ptr(to).i64(s.dim(0))
                    .i32(s.intDim(1)).i64(s.dim(2) * s.dim(3)).f32(op.rate()).i64(op.seed()).i64(step).go(op);
            return;
        }
        kernels.elementwise("c4j_dropout_f32", (n + 3) / 4).ptr(from).ptr(to).i64(n).f32(op.rate()).i64(op.seed())
                .i64(step).go(op);
    }
}
