package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;

/**
 * Softmax over the last axis of N x K logits fused with cross-entropy against one-hot labels (N x K,
 * FP32) or sparse labels (N, INT32 class indices). The loss is the mean over the batch, times an
 * optional weight (GoogLeNet's auxiliary heads use 0.3); the gradient with respect to the logits,
 * {@code weight * (softmax - onehot) / N}, comes out of the same pass.
 */
public record SoftmaxCrossEntropy(Shape logits, boolean sparse) {
    public static final String OP = "softmax_cross_entropy";

    public SoftmaxCrossEntropy {
        Checks.rank(OP, "logits", logits, 2);
    }

    public int classes() {
        return logits.intDim(1);
    }

    public int batch() {
        return logits.intDim(0);
    }

    public Shape labelShape() {
        return sparse ? Shape.of(logits.dim(0)) : logits;
    }

    public DType labelType() {
        return sparse ? DType.INT32 : DType.FP32;
    }

    /** Checks every argument of the fused loss, before any native call. */
    public void check(Tensor logitsTensor, Tensor labels, float weight, Tensor probs, Tensor dlogits) {
        Checks.tensor(OP, "logits", logitsTensor, logits);
        Checks.tensor(OP, "labels", labels, labelShape(), labelType());
        Checks.tensor(OP, "probs", probs, logits);
        Checks.tensor(OP, "dlogits", dlogits, logits);
        if (!Float.isFinite(weight)) {
            throw new IllegalArgumentException(OP + ": weight must be finite. Received " + weight);
        }
    }

    @Override
    public String toString() {
        return OP + "(logits " + logits + (sparse ? ", sparse labels" : ", one-hot labels") + ")";
    }
}
