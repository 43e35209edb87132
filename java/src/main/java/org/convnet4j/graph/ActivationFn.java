package org.convnet4j.graph;

/**
 * The activations a layer can end with, as Keras' {@code activation=} argument. SOFTMAX is allowed
 * only on a model output, where it is fused with the cross-entropy loss (training) or applied to the
 * logits when predicting.
 */
public enum ActivationFn {
    /** The identity. */
    LINEAR,
    /** max(0, x). */
    RELU,
    /** Probabilities over the features; only at an output, where the loss takes it. */
    SOFTMAX;

    /**
     * Keras' spelling, for summaries and errors.
     *
     * @return "linear", "relu" or "softmax"
     */
    public String kerasName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
