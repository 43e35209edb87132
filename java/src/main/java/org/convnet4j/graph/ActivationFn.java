package org.convnet4j.graph;

/**
 * The activations a layer can end with, as Keras' {@code activation=} argument. SOFTMAX is allowed
 * only on a model output, where it is fused with the cross-entropy loss (training) or applied to the
 * logits when predicting.
 */
public enum ActivationFn {
    LINEAR, RELU, SOFTMAX;

    /** Keras' spelling, for summaries and errors. */
    public String kerasName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
