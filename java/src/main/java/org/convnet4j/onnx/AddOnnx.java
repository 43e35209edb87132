package org.convnet4j.onnx;

import java.util.List;

import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.Add;

/**
 * Add of two activations of one shape (ResNet's residual). An Add of a constant imports only as the
 * bias of the MatMul before it ({@link DenseOnnx}); broadcasting is not supported.
 */
final class AddOnnx {
    private AddOnnx() {
    }

    static void write(Node n, GraphWriter g) {
        GraphWriter.Chain c = g.chain(n);
        c.add("Add", List.of(g.value(n.inputs().get(0)), g.value(n.inputs().get(1))));
        c.end();
    }

    static void read(OnnxNode n, ImportGraph g) {
        ImportGraph.Value a = g.value(n, 0);
        ImportGraph.Value b = g.value(n, 1);
        if (!(a instanceof ImportGraph.Activation x) || !(b instanceof ImportGraph.Activation y)) {
            throw n.error("an Add of a constant is supported only as the bias right after a MatMul");
        }
        if (x.onnxRank() != y.onnxRank() || !x.node().shape().equals(y.node().shape())) {
            throw n.error("expected two inputs of one shape (no broadcasting). Received N x " + x.node().shape()
                    + " and N x " + y.node().shape());
        }
        Node sum = new Add().name(g.layerName(n.output(0))).apply(x.node(), y.node());
        g.define(n.output(0), new ImportGraph.Activation(sum, x.onnxRank()));
    }
}
