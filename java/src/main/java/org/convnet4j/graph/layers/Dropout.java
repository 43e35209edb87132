package org.convnet4j.graph.layers;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Binding;
import org.convnet4j.graph.Bound;
import org.convnet4j.graph.Layer;
import org.convnet4j.tensor.Shape;

/**
 * Keras' Dropout(rate): inverted dropout in training, identity in inference. The mask of step t is
 * drawn from (seed, t), so backward recomputes it and a resumed run draws the same masks.
 */
public final class Dropout extends Layer {
    private final float rate;
    private long seed = 0;

    /**
     * Dropout that zeroes a fraction {@code rate} of its inputs in training.
     *
     * @param rate the fraction dropped, in [0, 1)
     */
    public Dropout(double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Dropout: rate must be in [0, 1). Received rate=" + rate);
        }
        this.rate = (float) rate;
    }

    /**
     * The layer's seed; models derive distinct seeds per layer from the run's seed.
     *
     * @param s the seed
     * @return this layer
     */
    public Dropout seed(long s) {
        this.seed = s;
        return this;
    }

    /**
     * The fraction of inputs dropped in training.
     *
     * @return the rate
     */
    public float rate() {
        return rate;
    }

    @Override
    public String type() {
        return "Dropout";
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        return inputs.get(0);
    }

    @Override
    public Bound bind(Binding b) {
        Backend be = b.backend();
        org.convnet4j.ops.DropoutOp op = new org.convnet4j.ops.DropoutOp(b.input().shape(), rate,
                seed ^ (long) name().hashCode() * 0x9E3779B97F4A7C15L);
        return new Bound() {
            @Override
            public void forward(boolean training, long step) {
                if (training) {
                    be.dropoutForward(op, step, b.input(), b.output());
                } else {
                    be.copy(b.input(), b.output());
                }
            }

            @Override
            public void backward(long step) {
                if (b.inputGrad(0) != null) {
                    be.dropoutBackward(op, step, b.outputGrad(), b.inputGrad(0));
                }
            }
        };
    }
}
