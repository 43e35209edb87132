package org.convnet4j.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.convnet4j.tensor.Shape;

/**
 * The nodes made since an {@link org.convnet4j.graph.layers.Input} was created, in creation order,
 * and the names given so far. Default names follow Keras: the layer type in snake case, then
 * {@code _1}, {@code _2}, ... for later ones of the same type.
 */
final class Graph {
    private final List<Node> nodes = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, Integer> counters = new HashMap<>();

    Node add(Layer layer, List<Node> inputs, Shape shape) {
        Node n = new Node(this, nodes.size(), layer, inputs, shape);
        nodes.add(n);
        return n;
    }

    List<Node> nodes() {
        return nodes;
    }

    /** The name {@link #claim} would give now, claiming nothing (for error messages). */
    String peek(String requested, String prefix) {
        if (requested != null) {
            return requested;
        }
        int k = counters.getOrDefault(prefix, 0);
        while (true) {
            String name = k == 0 ? prefix : prefix + "_" + k;
            if (!names.contains(name)) {
                return name;
            }
            k++;
        }
    }

    /** Claims {@code requested}, or the next default name for {@code prefix} when requested is null. */
    String claim(String requested, String prefix) {
        if (requested != null) {
            if (!names.add(requested)) {
                throw new IllegalArgumentException("Layer name '" + requested + "' is already used in this model");
            }
            return requested;
        }
        while (true) {
            int k = counters.merge(prefix, 1, Integer::sum) - 1;
            String name = k == 0 ? prefix : prefix + "_" + k;
            if (names.add(name)) {
                return name;
            }
        }
    }
}
