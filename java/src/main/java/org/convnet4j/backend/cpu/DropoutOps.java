package org.convnet4j.backend.cpu;

import org.convnet4j.ops.Dropout;
import org.convnet4j.tensor.Tensor;

/** Dropout through our native kernel: the mask is recomputed from (seed, step, index), never stored. */
final class DropoutOps {
    void forward(Dropout op, long step, Tensor x, Tensor y) {
        op.check("x", x, "y", y);
        CpuKernels.dropout(x.address(), y.address(), x.size(), op.rate(), op.seed(), step);
    }

    void backward(Dropout op, long step, Tensor dy, Tensor dx) {
        op.check("dy", dy, "dx", dx);
        CpuKernels.dropout(dy.address(), dx.address(), dy.size(), op.rate(), op.seed(), step);
    }
}
