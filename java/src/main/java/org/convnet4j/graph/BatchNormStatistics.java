package org.convnet4j.graph;

import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.tensor.Tensor;

/**
 * A bound batch-norm layer's statistics: after a training-mode forward pass, {@link #saved()} holds
 * that batch's mean and biased variance (2 x C); {@link #params()} holds the moving statistics that
 * inference uses. Precise batch norm reads the first to rewrite the second.
 */
public interface BatchNormStatistics {
    /**
     * The bound layer's op.
     *
     * @return the batch normalization, with its shapes
     */
    BatchNorm op();

    /**
     * The last training forward's batch statistics, owned by the bound layer.
     *
     * @return a 2 x C tensor: row 0 the mean, row 1 the biased variance
     */
    Tensor saved();

    /**
     * The layer's parameters, gamma, beta and the moving statistics (the executor's tensors).
     *
     * @return the four parameter tensors
     */
    BatchNormParams params();
}
