package org.convnet4j.backend.cuda;

import java.util.List;

import org.convnet4j.ops.Checks;
import org.convnet4j.ops.Concat;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Channel concat and its split: per input, one {@code c4j_copy_channels_<type>} launch moving that
 * input's block of channels (contiguous per sample in NCHW, per pixel in the NHWC of BF16/FP16
 * activations) into its window of the output, or back.
 */
final class ConcatOps {
    private final Kernels kernels;

    ConcatOps(Kernels kernels) {
        this.kernels = kernels;
    }

    void forward(Concat op, List<Tensor> xs, Tensor y) {
        op.checkInputs("xs", xs);
        Checks.activation(Concat.OP, "y", y, op.outputShape());
        for (int i = 0; i < xs.size(); i++) {
            copy(op, i, xs.get(i).address(), true, y.address(), y.dtype());
        }
    }

    void backward(Concat op, Tensor dy, List<Tensor> dxs) {
        Checks.activation(Concat.OP, "dy", dy, op.outputShape());
        op.checkInputs("dxs", dxs);
        for (int i = 0; i < dxs.size(); i++) {
            copy(op, i, dxs.get(i).address(), false, dy.address(), dy.dtype());
        }
    }

    /** Moves input i's channels between its own tensor and the concatenated one (into it when {@code in}). */
    private void copy(Concat op, int i, long part, boolean in, long whole, DType type) {
        Shape out = op.outputShape();
        Shape s = op.inputs().get(i);
        long n;
        long width;
        long outStride;
        long offset;
        if (Formats.half(type)) {
            // NHWC: every pixel is a run of C_i channels at channel offset o_i of the pixel's C
            n = s.size() / s.dim(1);
            width = s.dim(1);
            outStride = out.dim(1);
            offset = op.offset(i);
        } else {
            n = s.dim(0);
            width = s.size() / n;
            outStride = out.size() / n;
            offset = op.offset(i) * (outStride / out.dim(1));
        }
        Kernels.Launch l = kernels.elementwise(Formats.kernel("c4j_copy_channels", type), n * width);
        if (in) {
            l.ptr(part).i64(width).i64(0).ptr(whole).i64(outStride).i64(offset);
        } else {
            l.ptr(whole).i64(outStride).i64(offset).ptr(part).i64(width).i64(0);
        }
        l.i64(width).i32(Math.toIntExact(n)).go(op);
    }
}
