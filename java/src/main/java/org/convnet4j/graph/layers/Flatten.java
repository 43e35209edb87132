package org.convnet4j.graph.layers;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Binding;
import org.convnet4j.graph.Bound;
import org.convnet4j.graph.Layer;
import org.convnet4j.tensor.Shape;

/**
 * Keras' Flatten: C x H x W to C*H*W features (in C, H, W order; Keras with channels_last orders
 * them H, W, C, which changes no parameter count). A copy through the backend keeps the memory plan
 * free of aliases; it moves a few kilobytes per step.
 */
public final class Flatten extends Layer {
    @Override
    public String type() {
        return "Flatten";
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        return Shape.of(inputs.get(0).size());
    }

    @Override
    public Bound bind(Binding b) {
        Backend be = b.backend();
        return new Bound() {
            @Override
            public void forward(boolean training, long step) {
                // The output is FP32 in C, H, W order whatever the input's format: convert, not copy.
                be.convert(b.input(), b.output().reshape(b.input().shape()));
            }

            @Override
            public void backward(long step) {
                if (b.inputGrad(0) != null) {
                    be.convert(b.outputGrad().reshape(b.inputGrad(0).shape()), b.inputGrad(0));
                }
            }
        };
    }
}
