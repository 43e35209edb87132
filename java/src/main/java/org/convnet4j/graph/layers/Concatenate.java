package org.convnet4j.graph.layers;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Binding;
import org.convnet4j.graph.Bound;
import org.convnet4j.graph.Layer;
import org.convnet4j.graph.Node;
import org.convnet4j.ops.Concat;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/** Keras' Concatenate along channels, as Inception joins its four paths. */
public final class Concatenate extends Layer {
    @Override
    public String type() {
        return "Concatenate";
    }

    private static Concat op(List<Shape> inputs, long n) {
        List<Shape> all = new ArrayList<>();
        for (Shape s : inputs) {
            all.add(batched(s, n));
        }
        return new Concat(all);
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        if (inputs.size() < 2) {
            throw new IllegalArgumentException("expected at least two inputs. Received " + inputs.size());
        }
        return perSample(op(inputs, 1).outputShape());
    }

    @Override
    public boolean needsInputGradients() {
        return true;
    }

    @Override
    public Bound bind(Binding b) {
        Backend be = b.backend();
        List<Shape> shapes = new ArrayList<>();
        for (Node n : output().inputs()) {
            shapes.add(n.shape());
        }
        Concat op = op(shapes, b.batch());
        return new Bound() {
            @Override
            public void forward(boolean training, long step) {
                be.concatForward(op, b.inputs(), b.output());
            }

            @Override
            public void backward(long step) {
                List<Tensor> grads = b.inputGrads();
                if (grads.contains(null)) {
                    throw new IllegalStateException(name() + ": concatenate needs every input's gradient buffer");
                }
                be.concatBackward(op, b.outputGrad(), grads);
            }
        };
    }
}
