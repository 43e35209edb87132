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
    BatchNorm op();

    Tensor saved();

    BatchNormParams params();
}
