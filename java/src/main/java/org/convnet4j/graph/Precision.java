package org.convnet4j.graph;

import org.convnet4j.tensor.DType;

/**
 * The mixed-precision policy of a run (Keras' {@code mixed_precision.Policy}): the element type
 * activations, their gradients and the convolutions' inputs are stored and computed in. Whatever the
 * policy, master weights, optimizer state, batch-norm statistics, the logits, the loss and the
 * softmax stay FP32, and convolutions and matrix products accumulate in FP32; so checkpoints are FP32
 * and interchangeable between precisions.
 */
public enum Precision {
    /** Everything in FP32: the default, and what the reference results were measured in. */
    FP32(DType.FP32),
    /**
     * Image activations (N x C x H x W) and their gradients in bfloat16, 8 bits of mantissa; features
     * (N x F, after a Flatten or a global pool) and the logits stay FP32.
     */
    BF16(DType.BF16);

    private final DType activations;

    Precision(DType activations) {
        this.activations = activations;
    }

    /**
     * The element type of image activations and their gradients under this policy.
     *
     * @return FP32 or BF16
     */
    public DType activations() {
        return activations;
    }

    /**
     * The lower-case name the command line takes ({@code fp32}, {@code bf16}).
     *
     * @return the name
     */
    public String option() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The policy named {@code s} ({@code fp32} or {@code bf16}, any case).
     *
     * @param s the name
     * @return the policy
     */
    public static Precision parse(String s) {
        for (Precision p : values()) {
            if (p.name().equalsIgnoreCase(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("precision: expected fp32 or bf16. Received " + s);
    }
}
