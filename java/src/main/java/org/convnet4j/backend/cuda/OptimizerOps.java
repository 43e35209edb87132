package org.convnet4j.backend.cuda;

import java.util.List;

import org.convnet4j.memory.Block;
import org.convnet4j.ops.Adam;
import org.convnet4j.ops.ClipByGlobalNorm;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.tensor.Tensor;

/**
 * Optimizer updates with the per-element formulas shared with the CPU (native/include/convnet4j/adam.h,
 * sgd.h). {@link #adamAll} updates every parameter of a model in one launch of {@code
 * c4j_adam_multi_f32}: ResNet-50 has 320 parameter tensors, and 320 small launches cost more in
 * launch overhead than the update itself. Its pointer table and offsets go up with the step's other
 * transfers, through the pinned staging ring.
 */
final class OptimizerOps {
    private final Kernels kernels;
    private final Transfers transfers;
    private final DevicePool pool;

    OptimizerOps(Kernels kernels, Transfers transfers, DevicePool pool) {
        this.kernels = kernels;
        this.transfers = transfers;
        this.pool = pool;
    }

    void adam(Adam op, long step, Tensor param, Tensor grad, Tensor m, Tensor v) {
        Adam.checkTensors(param, grad, m, v);
        kernels.elementwise("c4j_adam_f32", param.size()).ptr(param).ptr(grad).ptr(m).ptr(v).i64(param.size())
                .f32((float) op.stepSize(step)).f32(op.beta1()).f32(op.beta2()).f32(op.epsilon()).f32(op.decay()).go(op);
    }

    void adamAll(Adam op, long step, List<Tensor> params, List<Tensor> grads, List<Tensor> ms, List<Tensor> vs) {
        int count = params.size();
        if (grads.size() != count || ms.size() != count || vs.size() != count) {
            throw new IllegalArgumentException(Adam.OP + ": expected as many grads, m and v as params (" + count
                    + "). Received " + grads.size() + ", " + ms.size() + ", " + vs.size());
        }
        if (count == 0) {
            return;
        }
        // table: params[count], grads[count], ms[count], vs[count], offsets[count + 1]
        long[] table = new long[5 * count + 1];
        long total = 0;
        for (int i = 0; i < count; i++) {
            Tensor p = params.get(i);
            Adam.checkTensors(p, grads.get(i), ms.get(i), vs.get(i));
            table[i] = p.address();
            table[count + i] = grads.get(i).address();
            table[2 * count + i] = ms.get(i).address();
            table[3 * count + i] = vs.get(i).address();
            table[4 * count + i] = total;
            total += p.size();
        }
        table[5 * count] = total;
        try (Block device = pool.allocate(8L * table.length)) {
            long base = device.address();
            transfers.uploadLongs(table, base);
            kernels.elementwise("c4j_adam_multi_f32", total).ptr(base).ptr(base + 8L * count).ptr(base + 16L * count)
                    .ptr(base + 24L * count).ptr(base + 32L * count).i32(count).f32((float) op.stepSize(step))
                    .f32(op.beta1()).f32(op.beta2()).f32(op.epsilon()).f32(op.decay())
                    .go(op + " over " + count + " tensors");
        }
    }

    void sgdMomentum(SgdMomentum op, Tensor param, Tensor grad, Tensor velocity) {
        SgdMomentum.checkTensors(param, grad, velocity);
        kernels.elementwise("c4j_sgd_momentum_f32", param.size()).ptr(param).ptr(grad).ptr(velocity).i64(param.size())
                .f32(op.learningRate()).f32(op.momentum()).go(op);
    }

    /**
     * c4j_sum_squares_multi_f32 (one block per tensor) writes each tensor's sum in double; the host
     * adds them in order, so the total is the same bits on every run.
     */
    double sumOfSquares(List<Tensor> tensors) {
        ClipByGlobalNorm.checkTensors(tensors);
        int count = tensors.size();
        if (count == 0) {
            return 0;
        }
        // table: xs[count], offsets[count + 1], then count doubles of results
        long[] table = pointerTable(tensors);
        try (Block device = pool.allocate(8L * (table.length + count))) {
            long base = device.address();
            long sums = base + 8L * table.length;
            transfers.uploadLongs(table, base);
            kernels.launch("c4j_sum_squares_multi_f32", count, Kernels.THREADS).ptr(base).ptr(base + 8L * count)
                    .i32(count).ptr(sums).go(ClipByGlobalNorm.OP + " over " + count + " tensors");
            int[] words = new int[2 * count];
            transfers.download(sums, words);
            double total = 0;
            for (int i = 0; i < count; i++) {
                total += Double.longBitsToDouble((words[2 * i] & 0xFFFFFFFFL) | ((long) words[2 * i + 1] << 32));
            }
            return total;
        }
    }

    /** c4j_scale_multi_f32: every tensor in one launch over their concatenated elements. */
    void scale(List<Tensor> tensors, float factor) {
        ClipByGlobalNorm.checkTensors(tensors);
        int count = tensors.size();
        if (count == 0) {
            return;
        }
        long[] table = pointerTable(tensors);
        long total = table[2 * count];
        try (Block device = pool.allocate(8L * table.length)) {
            long base = device.address();
            transfers.uploadLongs(table, base);
            kernels.elementwise("c4j_scale_multi_f32", total).ptr(base).ptr(base + 8L * count).i32(count).f32(factor)
                    .go(ClipByGlobalNorm.OP + " over " + count + " tensors");
        }
    }

    /** xs[count] (device addresses), then offsets[count + 1] (prefix sums of the sizes). */
    private static long[] pointerTable(List<Tensor> tensors) {
        int count = tensors.size();
        long[] table = new long[2 * count + 1];
        long total = 0;
        for (int i = 0; i < count; i++) {
            table[i] = tensors.get(i).address();
            table[count + i] = total;
            total += tensors.get(i).size();
        }
        table[2 * count] = total;
        return table;
    }

}
