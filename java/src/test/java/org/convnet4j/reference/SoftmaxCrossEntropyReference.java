package org.convnet4j.reference;

import org.convnet4j.ops.SoftmaxCrossEntropy;

/**
 * The float64 oracle for {@link SoftmaxCrossEntropy}: a max-shifted softmax over each row, the
 * cross-entropy against one-hot rows, {@code weight * mean} over the batch, and
 * {@code dlogits = weight * (probs - onehot) / N}. Sparse labels go through {@link #oneHot} first.
 */
public final class SoftmaxCrossEntropyReference {
    private SoftmaxCrossEntropyReference() {
    }

    public record Result(double loss, double[] probs, double[] dlogits) {
    }

    /** labels: N x K one-hot rows (for a sparse op, the {@link #oneHot} of its class indices). */
    public static Result forward(SoftmaxCrossEntropy op, double[] logits, double[] labels, double weight) {
        int n = op.batch();
        int k = op.classes();
        double[] probs = new double[n * k];
        double[] dlogits = new double[n * k];
        double total = 0;
        for (int b = 0; b < n; b++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, logits[b * k + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(logits[b * k + j] - max);
            }
            double logSum = Math.log(sum);
            for (int j = 0; j < k; j++) {
                int i = b * k + j;
                double logP = logits[i] - max - logSum;
                probs[i] = Math.exp(logP);
                total -= labels[i] * logP;
                dlogits[i] = weight * (probs[i] - labels[i]) / n;
            }
        }
        return new Result(weight * total / n, probs, dlogits);
    }

    /** N x K one-hot rows of class indices. */
    public static double[] oneHot(int[] labels, int classes) {
        double[] rows = new double[labels.length * classes];
        for (int b = 0; b < labels.length; b++) {
            rows[b * classes + labels[b]] = 1;
        }
        return rows;
    }
}
