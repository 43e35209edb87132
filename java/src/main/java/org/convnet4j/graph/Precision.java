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
    FP32(DType.FP32, false),
    /**
     * Image activations (N x C x H x W) and their gradients in bfloat16, 8 bits of mantissa; features
     * (N x F, after a Flatten or a global pool) and the logits stay FP32.
     */
    BF16(DType.BF16, false),
    /**
     * Image activations and their gradients in IEEE half precision (11 bits of significand, 5 of
     * exponent: largest 65504), as BF16 otherwise; its narrow range needs dynamic loss scaling, which
     * the trainer turns on ({@code train.LossScaler}). The CUDA backend only; oneDNN on the CPU here has
     * no native f16.
     */
    FP16(DType.FP16, true);

    private final DType activations;
    private final boolean lossScaling;

    Precision(DType activations, boolean lossScaling) {
        this.activations = activations;
        this.lossScaling = lossScaling;
    }

    /**
     * Whether training in this precision needs dynamic loss scaling (FP16's gradients underflow
     * without it).
     *
     * @return true for FP16
     */
    public boolean lossScaling() {
        return lossScaling;
    }

    /**
     * The element type of image activations and their gradients under this policy.
     *
     * @return FP32, BF16 or FP16
     */
    public DType activations() {
        return activations;
    }

    /**
     * The lower-case name the command line takes ({@code fp32}, {@code bf16}, {@code fp16}).
     *
     * @return the name
     */
    public String option() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The policy named {@code s} ({@code fp32}, {@code bf16} or {@code fp16}, any case).
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
        throw new IllegalArgumentException("precision: expected fp32, bf16 or fp16. Received " + s);
    }
}
