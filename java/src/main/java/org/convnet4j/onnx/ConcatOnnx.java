package org.convnet4j.onnx;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.Concatenate;

/** Concatenate and ONNX's Concat, along channels (axis 1) only, as Inception joins its paths. */
final class ConcatOnnx {
    private ConcatOnnx() {
    }

    static void write(Node n, GraphWriter g) {
        List<String> inputs = new ArrayList<>();
        for (Node i : n.inputs()) {
            inputs.add(g.value(i));
        }
        GraphWriter.Chain c = g.chain(n);
        c.add("Concat", inputs, Attributes.integer("axis", 1));
        c.end();
    }

    static void read(OnnxNode n, ImportGraph g) {
        if (ConstantFolding.allConstant(n, g)) {
            ConstantFolding.concat(n, g);
            return;
        }
        List<Node> inputs = new ArrayList<>();
        int rank = -1;
        for (int i = 0; i < n.inputCount(); i++) {
            ImportGraph.Activation a = g.activation(n, i);
            if (rank != -1 && a.onnxRank() != rank) {
                throw n.error("inputs of different ranks");
            }
            rank = a.onnxRank();
            inputs.add(a.node());
        }
        long axis = n.integer("axis", Long.MIN_VALUE);
        if (axis == Long.MIN_VALUE) {
            throw n.error("attribute axis is required");
        }
        if ((axis < 0 ? axis + rank : axis) != 1) {
            throw n.error("only a concatenation along channels (axis 1) is supported. Received axis " + axis
                    + " of rank-" + rank + " inputs");
        }
        if (inputs.size() == 1) {
            g.define(n.output(0), new ImportGraph.Activation(inputs.get(0), rank));
            return;
        }
        Node y = new Concatenate().name(g.layerName(n.output(0))).apply(inputs.toArray(new Node[0]));
        g.define(n.output(0), new ImportGraph.Activation(y, rank));
    }
}
