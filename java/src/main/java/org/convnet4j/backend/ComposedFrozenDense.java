package org.convnet4j.backend;

import org.convnet4j.ops.DenseOp;
import org.convnet4j.tensor.Tensor;

/**
 * {@link Backend#freezeDense} for a backend with nothing better: private FP32 copies of the weights
 * and bias, then {@link Backend#denseForward} and a relu in place. The CPU backend overrides it with
 * one oneDNN matmul over pre-packed weights.
 */
final class ComposedFrozenDense extends FrozenDense {
    private final Backend backend;
    private final Tensor w;
    private final Tensor bias;

    ComposedFrozenDense(Backend backend, DenseOp op, Tensor w, Tensor bias, boolean relu) {
        super(op, w, bias, relu, Weights.FP32);
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
    public void forward(Tensor x, Tensor y) {
        checkForward(x, y);
        backend.denseForward(op(), x, w, bias, y);
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
