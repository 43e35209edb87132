package org.convnet4j.backend;

import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Tensor;

/**
 * {@link Backend#freezeConv} for a backend with nothing better: private copies of the weights and
 * bias, then the unfused primitives (convolution, or convolution + bias + relu; accumulate the
 * residual; relu in place). The CPU backend overrides it with one oneDNN primitive.
 */
final class ComposedFrozenConv extends FrozenConv {
    private final Backend backend;
    private final Tensor w;
    private final Tensor bias;

    ComposedFrozenConv(Backend backend, Conv2dOp op, Tensor w, Tensor bias, boolean residual, boolean relu) {
        super(op, w, bias, residual, relu);
        this.backend = backend;
        this.w = backend.allocate(op.weightShape());
        Tensor b = null;
        try {
            backend.copy(w, this.w);
            if (bias != null) {
                b = backend.allocate(op.biasShape());
                backend.copy(bias, b);
            }
        } catch (RuntimeException e) {
            this.w.close();
            if (b != null) {
                b.close();
            }
            throw e;
        }
        this.bias = b;
    }

    @Override
    public void forward(Tensor x, Tensor res, Tensor y) {
        checkForward(x, res, y, Layout.NCHW);
        Conv2dOp op = op();
        if (relu() && !residual()) {
            backend.conv2dBiasReluForward(op, x, w, bias, y);
            return;
        }
        if (residual() && res.address() == y.address()) {
            try (Tensor t = backend.allocate(op.outputShape())) {
                backend.conv2dForward(op, x, w, bias, t);
                backend.accumulate(t, y);
            }
        } else {
            backend.conv2dForward(op, x, w, bias, y);
            if (residual()) {
                backend.accumulate(res, y);
            }
        }
        if (relu()) {
            backend.reluForward(y, y);
        }
    }

    @Override
    public void close() {
        w.close();
        if (bias != null) {
            bias.close();
        }
    }
}
