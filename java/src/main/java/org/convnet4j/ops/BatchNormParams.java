package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

/**
 * The four per-channel tensors of a batch-norm layer: gamma and beta (trainable), the moving mean and
 * moving variance (updated by training forward passes, read by inference). The record only refers to
 * the tensors; whoever allocated them closes them.
 *
 * @param gamma the per-channel scale
 * @param beta the per-channel shift
 * @param movingMean the moving mean
 * @param movingVariance the moving variance
 */
public record BatchNormParams(Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVariance) {
    /**
     * Checks all four against the op's channel count: live, FP32, NCHW, {@code op.paramShape()}.
     *
     * @param op the batch normalization they belong to
     * @throws IllegalArgumentException naming the tensor that does not fit
     */
    public void check(BatchNorm op) {
        Checks.tensor(BatchNorm.OP, "gamma", gamma, op.paramShape());
        Checks.tensor(BatchNorm.OP, "beta", beta, op.paramShape());
        Checks.tensor(BatchNorm.OP, "moving_mean", movingMean, op.paramShape());
        Checks.tensor(BatchNorm.OP, "moving_variance", movingVariance, op.paramShape());
    }
}
