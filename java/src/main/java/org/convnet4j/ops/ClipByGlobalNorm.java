package org.convnet4j.ops;

import java.util.List;

import org.convnet4j.tensor.Tensor;

/**
 * Gradient clipping by global norm, as Keras' {@code global_clipnorm} and TensorFlow's
 * {@code clip_by_global_norm} compute it: with {@code norm = sqrt(sum of g^2 over every gradient)},
 * every gradient is multiplied by {@code maxNorm / max(norm, maxNorm)}, so the direction of the step
 * is kept and its length is at most {@code maxNorm}. Within the limit nothing changes. A non-finite
 * norm makes the factor NaN, as in TensorFlow: the step then fails loudly instead of silently skipping.
 * The backend's {@code sumOfSquares} and {@code scale} are its two passes.
 */
public record ClipByGlobalNorm(double maxNorm) {
    /** The op's name in messages. */
    public static final String OP = "clip_by_global_norm";

    /**
     * A limit, checked.
     *
     * @param maxNorm the largest global norm, &gt; 0
     */
    public ClipByGlobalNorm {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException(OP + ": expected a finite max norm > 0. Received maxNorm=" + maxNorm);
        }
    }

    /**
     * The factor gradients whose global norm is {@code norm} are multiplied by: 1 within the limit.
     *
     * @param norm the gradients' global norm
     * @return min(1, maxNorm / norm)
     */
    public double factor(double norm) {
        if (Double.isNaN(norm) || Double.isInfinite(norm)) {
            return Double.NaN;
        }
        return norm <= maxNorm ? 1.0 : maxNorm / norm;
    }

    /**
     * Every tensor of a clipping pass: present, live, FP32 in NCHW order.
     *
     * @param tensors the gradients
     */
    public static void checkTensors(List<Tensor> tensors) {
        if (tensors == null) {
            throw new IllegalArgumentException(OP + ": the tensor list is null");
        }
        for (int i = 0; i < tensors.size(); i++) {
            Checks.present(OP, "tensor " + i, tensors.get(i));
        }
    }
}
