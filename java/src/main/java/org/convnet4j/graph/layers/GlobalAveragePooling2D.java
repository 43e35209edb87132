package org.convnet4j.graph.layers;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Binding;
import org.convnet4j.graph.Bound;
import org.convnet4j.graph.Layer;
import org.convnet4j.ops.GlobalAvgPool;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/** Keras' GlobalAveragePooling2D: C x H x W to C. */
public final class GlobalAveragePooling2D extends Layer {
    @Override
    public String type() {
        return "GlobalAveragePooling2D";
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        return Shape.of(requireImage(inputs.get(0)).dim(0));
    }

    @Override
    public Bound bind(Binding b) {
        Backend be = b.backend();
        Shape in = output().inputs().get(0).shape();
        GlobalAvgPool op = new GlobalAvgPool(batched(in, b.batch()));
        return new Bound() {
            @Override
            public void forward(boolean training, long step) {
                be.globalAvgPoolForward(op, b.input(), b.output());
            }

            @Override
            public void backward(long step) {
                if (b.inputGrad(0) != null) {
                    be.globalAvgPoolBackward(op, b.outputGrad(), b.inputGrad(0));
                }
            }
        };
    }
}
