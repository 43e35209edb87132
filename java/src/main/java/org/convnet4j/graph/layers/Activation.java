package org.convnet4j.graph.layers;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.ActivationFn;
import org.convnet4j.graph.Binding;
import org.convnet4j.graph.Bound;
import org.convnet4j.graph.Layer;
import org.convnet4j.tensor.Shape;

/** Keras' Activation layer: relu, or softmax at a model output (where its output is the logits it received). */
public final class Activation extends Layer {
    private final ActivationFn fn;

    /**
     * A layer that applies {@code fn} alone.
     *
     * @param fn relu or softmax (softmax only at an output)
     */
    public Activation(ActivationFn fn) {
        if (fn == ActivationFn.LINEAR) {
            throw new IllegalArgumentException("Activation: expected relu or softmax. Received linear");
        }
        this.fn = fn;
    }

    /**
     * The function this layer applies.
     *
     * @return relu or softmax
     */
    public ActivationFn activation() {
        return fn;
    }

    @Override
    public String type() {
        return "Activation";
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        return inputs.get(0);
    }

    @Override
    public Bound bind(Binding b) {
        Backend be = b.backend();
        boolean relu = fn == ActivationFn.RELU;
        return new Bound() {
            @Override
            public void forward(boolean training, long step) {
                if (relu) {
                    be.reluForward(b.input(), b.output());
                } else {
                    be.copy(b.input(), b.output());
                }
            }

            @Override
            public void backward(long step) {
                if (b.inputGrad(0) == null) {
                    return;
                }
                if (relu) {
                    be.reluBackward(b.output(), b.outputGrad(), b.inputGrad(0));
                } else {
                    be.copy(b.outputGrad(), b.inputGrad(0));
                }
            }
        };
    }
}
