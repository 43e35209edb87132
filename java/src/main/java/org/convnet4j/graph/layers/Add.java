package org.convnet4j.graph.layers;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Binding;
import org.convnet4j.graph.Bound;
import org.convnet4j.graph.Layer;
import org.convnet4j.tensor.Shape;

/** Keras' Add of two tensors of the same shape; backward hands dy to both inputs. */
public final class Add extends Layer {
    @Override
    public String type() {
        return "Add";
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        if (inputs.size() != 2 || !inputs.get(0).equals(inputs.get(1))) {
            throw new IllegalArgumentException("expected two inputs of the same shape. Received " + inputs);
        }
        return inputs.get(0);
    }

    @Override
    public Bound bind(Binding b) {
        Backend be = b.backend();
        return new Bound() {
            @Override
            public void forward(boolean training, long step) {
                be.add(b.inputs().get(0), b.inputs().get(1), b.output());
            }

            @Override
            public void backward(long step) {
                for (int i = 0; i < 2; i++) {
                    if (b.inputGrad(i) != null) {
                        be.copy(b.outputGrad(), b.inputGrad(i));
                    }
                }
            }
        };
    }
}
