package org.convnet4j.backend.cuda;

import org.convnet4j.memory.Block;
import org.convnet4j.ops.SoftmaxCrossEntropy;
import org.convnet4j.tensor.Tensor;

/**
 * Softmax with cross-entropy and its gradient in one warp-per-row kernel, the batch mean in a second
 * (fixed order, so the same bits every run), and for sparse labels the range check alongside; the
 * host waits once, for the mean and the check together. The sparse kernel never indexes with an
 * invalid label (that row's loss is NaN), so checking after the fact is safe, and a bad label is then
 * reported with its row and value.
 */
final class SoftmaxCrossEntropyOps {
    private final Kernels kernels;
    private final Transfers transfers;
    private final DevicePool pool;

    SoftmaxCrossEntropyOps(Kernels kernels, Transfers transfers, DevicePool pool) {
        this.kernels = kernels;
        this.transfers = transfers;
        this.pool = pool;
    }

    float run(SoftmaxCrossEntropy op, Tensor logits, Tensor labels, float weight, Tensor probs, Tensor dlogits) {
        op.check(logits, labels, weight, probs, dlogits);
        int n = op.batch();
        int k = op.classes();
        // scratch: [0] first bad label row (int), [1] the mean loss (float), then one loss per row
        try (Block scratch = pool.allocate(8L + 4L * n)) {
            long firstBad = scratch.address();
            long loss = firstBad + 4;
            long rowLoss = firstBad + 8;
            if (op.sparse()) {
                transfers.uploadInts(new int[] {n}, firstBad);
                kernels.elementwise("c4j_first_bad_label_i32", n).ptr(labels).i32(n).i32(k).ptr(firstBad).go(op);
            }
            String rows = op.sparse() ? "c4j_softmax_xent_sparse_f32" : "c4j_softmax_xent_onehot_f32";
            kernels.launch(rows, (n + 3) / 4, 128).ptr(logits).ptr(labels).i32(n).i32(k).f32(weight / n).ptr(probs)
                    .ptr(dlogits).ptr(rowLoss).go(op);
            kernels.launch("c4j_xent_mean_f32", 1, Kernels.THREADS).ptr(rowLoss).i32(n).f32(weight).ptr(loss).go(op);
            int[] result = new int[2];
            transfers.download(firstBad, result);
            if (op.sparse() && result[0] != n) {
                int[] label = new int[1];
                transfers.download(labels.address() + 4L * result[0], label);
                throw new IllegalArgumentException(SoftmaxCrossEntropy.OP + ": expected labels in [0, " + k
                        + "). Received label " + label[0] + " in row " + result[0] + " of " + op);
            }
            return Float.intBitsToFloat(result[1]);
        }
    }
}
