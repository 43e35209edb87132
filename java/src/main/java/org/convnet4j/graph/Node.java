package org.convnet4j.graph;

import java.util.List;

import org.convnet4j.tensor.Shape;

/**
 * A typed handle to a layer's output in a graph under construction: layers are wired by passing
 * nodes, never by name. The shape is per sample (C x H x W, or features), without the batch axis.
 */
public final class Node {
    private final Graph graph;
    private final int id;
    private final Layer layer;
    private final List<Node> inputs;
    private final Shape shape;

    Node(Graph graph, int id, Layer layer, List<Node> inputs, Shape shape) {
        this.graph = graph;
        this.id = id;
        this.layer = layer;
        this.inputs = List.copyOf(inputs);
        this.shape = shape;
    }

    /**
     * The output's shape without the batch axis, C x H x W for images.
     *
     * @return the shape
     */
    public Shape shape() {
        return shape;
    }

    /**
     * The layer that computes this node.
     *
     * @return the layer
     */
    public Layer layer() {
        return layer;
    }

    /**
     * The nodes this one reads.
     *
     * @return the inputs, in argument order
     */
    public List<Node> inputs() {
        return inputs;
    }

    /**
     * Position in creation order, which is a topological order.
     *
     * @return the id
     */
    public int id() {
        return id;
    }

    Graph graph() {
        return graph;
    }

    /**
     * The shape with a batch axis of n in front.
     *
     * @param n the batch size
     * @return the shape
     */
    public Shape batchShape(long n) {
        long[] d = shape.dims();
        long[] b = new long[d.length + 1];
        b[0] = n;
        System.arraycopy(d, 0, b, 1, d.length);
        return Shape.of(b);
    }

    @Override
    public String toString() {
        return layer.name() + " " + shape;
    }
}
