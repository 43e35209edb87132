package org.convnet4j.backend.cpu;

import org.convnet4j.ops.Checks;
import org.convnet4j.ops.Dropout;
import org.convnet4j.tensor.Tensor;

/** Dropout through our native kernel: the mask is recomputed from (seed, step, index), never stored. */
final class DropoutOps {
    void forward(Dropout op, long step, Tensor x, Tensor y) {
        Checks.tensor(Dropout.OP, "x", x, op.input());
        Checks.tensor(Dropout.OP, "y", y, op.input());
        CpuKernels.dropout(x.address(), y.address(), x.size(), op.rate(), op.seed(), step);
    }

    void backward(Dropout op, long step, Tensor dy, Tensor dx) {
        Checks.tensor(Dropout.OP, "dy", dy, op.input());
        Checks.tensor(Dropout.OP, "dx", dx, op.input());
        CpuKernels.dropout(dy.address(), dx.address(), dy.size(), op.rate(), op.seed(), step);
    }
}
