package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;

/**
 * Softmax over the last axis of N x K logits fused with cross-entropy against one-hot labels (N x K,
 * FP32) or sparse labels (N, INT32 class indices). The loss is the mean over the batch, times an
 * optional weight (GoogLeNet's auxiliary heads use 0.3); the gradient with respect to the logits,
 * {@code weight * (softmax - onehot) / N}, comes out of the same pass.
 *
 * @param logits the logits' shape, N x K
 * @param sparse whether labels are class indices rather than one-hot rows
 */
public record SoftmaxCrossEntropy(Shape logits, boolean sparse) {
    /** The op's name in error messages. */
    public static final String OP = "softmax_cross_entropy";

    /**
     * A loss, checked.
     *
     * @param logits the logits' shape, rank 2
     * @param sparse whether labels are class indices
     * @throws IllegalArgumentException if the logits are not rank 2
     */
    public SoftmaxCrossEntropy {
        Checks.rank(OP, "logits", logits, 2);
    }

    /**
     * The number of classes.
     *
     * @return K
     */
    public int classes() {
        return logits.intDim(1);
    }

    /**
     * The batch size.
     *
     * @return N
     */
    public int batch() {
        return logits.intDim(0);
    }

    /**
     * The labels' shape.
     *
     * @return N for sparse labels, N x K for one-hot ones
     */
    public Shape labelShape() {
        return sparse ? Shape.of(logits.dim(0)) : logits;
    }

    /**
     * The labels' element type.
     *
     * @return INT32 for sparse labels, FP32 for one-hot ones
     */
    public DType labelType() {
        return sparse ? DType.INT32 : DType.FP32;
    }

    /**
     * Checks every argument of the fused loss, before any native call.
     *
     * @param logitsTensor the N x K logits, FP32 NCHW
     * @param labels {@link #labelShape()} of {@link #labelType()}
     * @param weight the loss's scale, finite
     * @param probs the probabilities' output, N x K
     * @param dlogits the gradient's output, N x K
     * @throws IllegalArgumentException naming the argument that does not fit
     */
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
