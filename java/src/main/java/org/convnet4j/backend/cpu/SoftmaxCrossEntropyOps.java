package org.convnet4j.backend.cpu;

import org.convnet4j.ops.SoftmaxCrossEntropy;
import org.convnet4j.tensor.Tensor;

/**
 * Softmax with cross-entropy, forward and backward in one pass of our native kernel (the same
 * per-row math the CUDA kernel runs). Sparse labels are range-checked before any arithmetic, so a bad
 * label is an error naming the row, never a read out of bounds.
 */
final class SoftmaxCrossEntropyOps {
    float run(SoftmaxCrossEntropy op, Tensor logits, Tensor labels, float weight, Tensor probs, Tensor dlogits) {
        op.check(logits, labels, weight, probs, dlogits);
        if (op.sparse()) {
            int bad = CpuKernels.firstBadLabel(labels.address(), op.batch(), op.classes());
            if (bad >= 0) {
                int label = Address.ints(labels.address() + 4L * bad, 1).get(0);
                throw new IllegalArgumentException(SoftmaxCrossEntropy.OP + ": expected labels in [0, " + op.classes()
                        + "). Received label " + label + " in row " + bad + " of " + op);
            }
        }
        return CpuKernels.softmaxCrossEntropy(logits.address(), labels.address(), op.sparse(), op.batch(), op.classes(),
                weight, probs.address(), dlogits.address());
    }
}
