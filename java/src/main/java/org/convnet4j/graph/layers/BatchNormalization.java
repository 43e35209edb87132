package org.convnet4j.graph.layers;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Binding;
import org.convnet4j.graph.BatchNormStatistics;
import org.convnet4j.graph.Bound;
import org.convnet4j.graph.Initializer;
import org.convnet4j.graph.Layer;
import org.convnet4j.graph.ParamSpec;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Keras' BatchNormalization over channels (or features): gamma 1 and beta 0 trained, moving mean 0
 * and moving variance 1 not trained; momentum 0.99, epsilon 0.001. Frozen ({@code trainable(false)}) it
 * normalizes with its moving statistics in training too and leaves them as they are, as Keras does;
 * its backward is then inference mode's, {@code dx = dy * gamma / sqrt(moving_variance + epsilon)}.
 */
public final class BatchNormalization extends Layer {
    private float momentum = BatchNorm.KERAS_MOMENTUM;
    private float epsilon = BatchNorm.KERAS_EPSILON;
    private boolean scale = true;

    /**
     * The moving averages' momentum: moving = m * moving + (1 - m) * batch (default 0.99).
     *
     * @param m the momentum, in [0, 1)
     * @return this layer
     */
    public BatchNormalization momentum(float m) {
        this.momentum = m;
        return this;
    }

    /**
     * What is added to the variance before its square root (default 0.001).
     *
     * @param e a small positive number
     * @return this layer
     */
    public BatchNormalization epsilon(float e) {
        this.epsilon = e;
        return this;
    }

    /**
     * Keras' {@code scale=False}: no gamma (fixed at 1, neither stored nor trained), as Inception-v3
     * uses before relu; the layer then holds 3 values per channel.
     *
     * @param s false to leave gamma out
     * @return this layer
     */
    public BatchNormalization scale(boolean s) {
        this.scale = s;
        return this;
    }

    /**
     * What is added to the variance before its square root.
     *
     * @return epsilon
     */
    public float epsilon() {
        return epsilon;
    }

    /**
     * The moving averages' momentum.
     *
     * @return the momentum
     */
    public float momentum() {
        return momentum;
    }

    /**
     * Whether gamma is a parameter (Keras' scale=True); without it the parameters start at beta.
     *
     * @return true unless {@link #scale(boolean)} turned gamma off
     */
    public boolean scaled() {
        return scale;
    }

    @Override
    public String type() {
        return "BatchNormalization";
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (in.rank() != 1 && in.rank() != 3) {
            throw new IllegalArgumentException("expected C x H x W or features. Received " + in);
        }
        new BatchNorm(batched(in, 1), epsilon, momentum);
        return in;
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        Shape c = Shape.of(inputs.get(0).dim(0));
        ParamSpec beta = new ParamSpec("beta", c, true, Initializer.zeros());
        ParamSpec mean = new ParamSpec("moving_mean", c, false, Initializer.zeros());
        ParamSpec variance = new ParamSpec("moving_variance", c, false, Initializer.ones());
        return scale ? List.of(new ParamSpec("gamma", c, true, Initializer.ones()), beta, mean, variance)
                : List.of(beta, mean, variance);
    }

    @Override
    public boolean needsInputGradients() {
        return true;
    }

    @Override
    public Bound bind(Binding b) {
        return bind(b, null, null, null, null);
    }

    /**
     * Binds this batch norm fused with the relu after it, or with the residual add and the relu after
     * that (ResNet's block tail), for a training plan that runs the chain as one op at the relu's step
     * ({@link Backend#batchNormReluForwardTraining}, {@link Backend#batchNormAddReluForwardTraining}
     * and their backward passes). The layer must be trainable; the binding is this layer's own (its
     * input, parameters and gradients), the tensors are the chain's.
     *
     * @param b this layer's binding in a training plan
     * @param residual the add's other input, or null for batch norm then relu
     * @param y the relu's output, written by the forward
     * @param dy the relu output's gradient, read by the backward
     * @param dresidual where the backward writes the residual's gradient (null: a scratch the bound owns)
     * @return the fused step, which reports its statistics as this layer's
     * @throws IllegalStateException if the layer is not trainable
     * @throws IllegalArgumentException if y or dy is null
     */
    public Bound bindFused(Binding b, Tensor residual, Tensor y, Tensor dy, Tensor dresidual) {
        if (!trainable()) {
            throw new IllegalStateException(name() + ": a frozen batch norm is not fused (it passes the inference gradient)");
        }
        if (y == null || dy == null) {
            throw new IllegalArgumentException(name() + ": a fused batch norm needs the relu's output and its gradient");
        }
        return bind(b, residual, y, dy, dresidual);
    }

    /** fusedY null: the plain layer; else the fused chain writing fusedY (see bindFused). */
    private Bound bind(Binding b, Tensor residual, Tensor fusedY, Tensor fusedDy, Tensor fusedDresidual) {
        boolean fused = fusedY != null;
        Backend be = b.backend();
        BatchNorm op = new BatchNorm(batched(output().inputs().get(0).shape(), b.batch()), epsilon, momentum);
        int first = scale ? 1 : 0;
        // Without scale, gamma is a constant 1 the layer owns, and its gradient goes to a scratch.
        Tensor ones = scale ? null : be.allocate(op.paramShape());
        Tensor dgammaScratch = scale ? null : be.allocate(op.paramShape());
        if (ones != null) {
            be.fill(ones, 1f);
        }
        BatchNormParams p = new BatchNormParams(scale ? b.param(0) : ones, b.param(first), b.param(first + 1),
                b.param(first + 2));
        Tensor saved = be.allocate(op.savedShape());
        // Frozen (inference mode), dx = dy * gamma / sqrt(moving_variance + eps): the inference forward
        // of dy with beta and the mean at zero computes exactly that, in any activation type and layout.
        Tensor zeros = trainable() ? null : be.allocate(op.paramShape());
        if (zeros != null) {
            be.fill(zeros, 0f);
        }
        BatchNormParams inferenceGradient = zeros == null ? null : new BatchNormParams(p.gamma(), zeros, zeros, p.movingVariance());
        Tensor y = fused ? fusedY : b.output();
        // A residual that needs no gradient (the model input) still gets one written: into a scratch.
        Tensor dresidualScratch = fused && residual != null && fusedDresidual == null
                ? be.allocate(residual.shape(), residual.dtype(), residual.layout()) : null;
        Tensor dresidual = dresidualScratch != null ? dresidualScratch : fusedDresidual;
        return new StatisticsBound() {
            @Override
            public BatchNorm op() {
                return op;
            }

            @Override
            public Tensor saved() {
                return saved;
            }

            @Override
            public BatchNormParams params() {
                return p;
            }

            @Override
            public void forward(boolean training, long step) {
                boolean batchStatistics = training && trainable(); // frozen: inference mode, as Keras since 2.1
                if (!fused) {
                    if (batchStatistics) {
                        be.batchNormForwardTraining(op, b.input(), p, y, saved);
                    } else {
                        be.batchNormForwardInference(op, b.input(), p, y);
                    }
                } else if (residual == null) {
                    if (batchStatistics) {
                        be.batchNormReluForwardTraining(op, b.input(), p, y, saved);
                    } else {
                        be.batchNormReluForwardInference(op, b.input(), p, y);
                    }
                } else if (batchStatistics) {
                    be.batchNormAddReluForwardTraining(op, b.input(), residual, p, y, saved);
                } else {
                    be.batchNormAddReluForwardInference(op, b.input(), residual, p, y);
                }
            }

            @Override
            public void backward(long step) {
                Tensor dx = b.inputGrad(0);
                if (dx == null) {
                    throw new IllegalStateException(name() + ": batch normalization needs its input's gradient buffer");
                }
                if (inferenceGradient != null) {
                    be.batchNormForwardInference(op, b.outputGrad(), inferenceGradient, dx);
                    return; // frozen: no parameter gradients
                }
                Tensor dgamma = scale ? b.paramGrad(0) : dgammaScratch;
                Tensor dbeta = b.paramGrad(first);
                if (!fused) {
                    be.batchNormBackward(op, b.input(), b.outputGrad(), p, saved, dx, dgamma, dbeta);
                } else if (residual == null) {
                    be.batchNormReluBackward(op, b.input(), y, fusedDy, p, saved, dx, dgamma, dbeta);
                } else {
                    be.batchNormAddReluBackward(op, b.input(), y, fusedDy, p, saved, dx, dresidual, dgamma, dbeta);
                }
            }

            @Override
            public void close() {
                saved.close();
                if (zeros != null) {
                    zeros.close();
                }
                if (ones != null) {
                    ones.close();
                    dgammaScratch.close();
                }
                if (dresidualScratch != null) {
                    dresidualScratch.close();
                }
            }
        };
    }

    /** What the layer binds to: a step's forward and backward, and the statistics precise batch norm reads. */
    private interface StatisticsBound extends Bound, BatchNormStatistics {
    }
}
