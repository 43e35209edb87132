package org.convnet4j.graph.layers;

import java.util.List;

import org.convnet4j.graph.Binding;
import org.convnet4j.graph.Bound;
import org.convnet4j.graph.Layer;
import org.convnet4j.graph.Node;
import org.convnet4j.tensor.Shape;

/**
 * The input of a model. Images are given as Keras writes them, height x width x channels, and held
 * as C x H x W; feature vectors as their length.
 */
public final class Input extends Layer {
    private final Shape shape;

    private Input(Shape shape) {
        this.shape = shape;
    }

    /**
     * An image input of h x w x c, e.g. {@code Input.image(28, 28, 1)}; returns the node.
     *
     * @param h height
     * @param w width
     * @param c channels
     * @return the input node, to apply the first layer to
     */
    public static Node image(int h, int w, int c) {
        return image(h, w, c, null);
    }

    /**
     * An image input with a name of its own.
     *
     * @param h height
     * @param w width
     * @param c channels
     * @param name the layer's name, or null for the default "input"
     * @return the input node, to apply the first layer to
     */
    public static Node image(int h, int w, int c, String name) {
        if (h <= 0 || w <= 0 || c <= 0) {
            throw new IllegalArgumentException("Input: expected strictly positive h, w, c. Received " + h + "x" + w + "x" + c);
        }
        Input in = new Input(Shape.of(c, h, w));
        if (name != null) {
            in.name(name);
        }
        return startGraph(in);
    }

    @Override
    public String type() {
        return "InputLayer";
    }

    @Override
    protected String defaultPrefix() {
        return "input";
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        return shape;
    }

    @Override
    public Bound bind(Binding b) {
        return new Bound() {
            @Override
            public void forward(boolean training, long step) {
            }

            @Override
            public void backward(long step) {
            }
        };
    }
}
