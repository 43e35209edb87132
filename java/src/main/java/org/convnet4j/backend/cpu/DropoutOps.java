package org.convnet4j.backend.cpu;

import org.convnet4j.ops.DropoutOp;
import org.convnet4j.tensor.Tensor;

/** DropoutOp through our native kernel: the mask is recomputed from (seed, step, index), never stored. */
final class DropoutOps {
    void forward(DropoutOp op, long step, Tensor x, Tensor y) {
        op.check("x", x, "y", y);
        run(op, step, x, y);
    }

    void backward(DropoutOp op, long step, Tensor dy, Tensor dx) {
        op.check("dy", dy, "dx", dx);
        run(op, step, dy, dx);
    }

    private static void run(DropoutOp op, long step, Tensor in, Tensor out) {
        Format f = Formats.same(DropoutOp.OP, in, out);
        if (f.layout() == org.convnet4j.tensor.Layout.NHWC) {
            // The mask of each element's NCHW index: the same elements drop whatever the layout.
            long[] d = in.shape().dims();
            CpuKernels.dropoutNhwc(in.address(), out.address(), d[0], d[1], d[2] * d[3], op.rate(), op.seed(), step,
                    f.dtype() == org.convnet4j.tensor.DType.BF16);
        } else if (f.dtype() == org.convnet4j.tensor.DType.BF16) {
            CpuKernels.dropoutBf16(in.address(), out.address(), in.size(), op.rate(), op.seed(), step);
        } else {
            CpuKernels.dropout(in.address(), out.address(), in.size(), op.rate(), op.seed(), step);
        }
    }
}
