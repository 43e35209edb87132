package org.convnet4j.backend.cuda;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.tensor.Tensor;

/**
 * FP32 NCHW stand-ins for reduced-precision NHWC activations, for the ops that have no BF16/FP16
 * kernel yet (the fused batch-norm forms, and plain batch norm with an epsilon cuDNN refuses):
 * {@link #in} converts an input to FP32 NCHW, {@link #out} hands out an FP32 NCHW buffer whose
 * contents {@link #commit} converts into the real output, once, rounding to its type (the same
 * single rounding a native kernel does, at the cost of two extra passes). Plain tensors pass
 * through untouched. Buffers come from the backend's pool, in stream order like every other
 * temporary, and are returned by {@link #close}.
 */
final class Staging implements AutoCloseable {
    private final CudaBackend backend;
    private final List<Tensor> temporaries = new ArrayList<>();
    private final List<Tensor[]> writeBacks = new ArrayList<>();

    Staging(CudaBackend backend) {
        this.backend = backend;
    }

    /** t itself when null or plain, else an FP32 NCHW copy of it. */
    Tensor in(Tensor t) {
        if (Formats.plain(t)) {
            return t;
        }
        Tensor p = temporary(t);
        backend.convertUnlocked(t, p);
        return p;
    }

    /** t itself when null or plain, else an FP32 NCHW buffer that {@link #commit} converts into t. */
    Tensor out(Tensor t) {
        if (Formats.plain(t)) {
            return t;
        }
        Tensor p = temporary(t);
        writeBacks.add(new Tensor[] {p, t});
        return p;
    }

    /** Converts every {@link #out} buffer into its tensor. */
    void commit() {
        for (Tensor[] w : writeBacks) {
            backend.convertUnlocked(w[0], w[1]);
        }
        writeBacks.clear();
    }

    private Tensor temporary(Tensor like) {
        Tensor p = backend.allocate(like.shape());
        temporaries.add(p);
        return p;
    }

    @Override
    public void close() {
        for (Tensor t : temporaries) {
            t.close();
        }
        temporaries.clear();
    }
}
