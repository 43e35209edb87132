package org.convnet4j.onnx;

import java.util.List;

import org.convnet4j.graph.ActivationFn;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.Activation;

/**
 * Relu and Softmax: the Activation layer, and the activation a Conv2D or Dense runs itself. Export
 * appends Relu, or Softmax over axis 1 at an output (our models output probabilities, as ONNX
 * consumers expect). Import makes a Relu that only reads a Conv or Gemm part of that layer
 * ({@link #tail}), so the imported model runs conv+bias+relu fused as the zoo's do; a Softmax must be
 * a graph output, where convnet4j keeps it (fused into the loss in training).
 */
final class ActivationOnnx {
    private ActivationOnnx() {
    }

    /** What a Conv or Gemm layer runs after its op, and the ONNX value its layer then writes. */
    record Tail(ActivationFn fn, String output) {
    }

    /** Appends {@code fn} to a layer's chain; returns the value it writes. */
    static String append(GraphWriter.Chain c, ActivationFn fn, String x) {
        return switch (fn) {
            case LINEAR -> x;
            case RELU -> c.add("Relu", List.of(x));
            case SOFTMAX -> c.add("Softmax", List.of(x), Attributes.integer("axis", 1));
        };
    }

    static void write(Activation layer, Node n, GraphWriter g) {
        GraphWriter.Chain c = g.chain(n);
        append(c, layer.activation(), g.value(n.inputs().get(0)));
        c.end();
    }

    /**
     * What follows the value a Conv or Gemm writes that its layer can run: a Relu that is the value's
     * only reader, or (with {@code softmax}, for N x K values) a Softmax that writes a graph output, or
     * the softmax every convnet4j output ends in where the value itself is a graph output (logits).
     * An absorbed node is skipped by the walk.
     */
    static Tail tail(String value, ImportGraph g, boolean softmax) {
        OnnxNode next = g.soleConsumer(value);
        if (next != null && next.opType().equals("Relu") && next.outputCount() == 1) {
            next.checkAttributesRead();
            g.absorb(next);
            return new Tail(ActivationFn.RELU, next.output(0));
        }
        if (softmax && next != null && next.opType().equals("Softmax")) {
            checkSoftmax(next, g, 2);
            next.checkAttributesRead();
            g.absorb(next);
            return new Tail(ActivationFn.SOFTMAX, next.output(0));
        }
        if (softmax && g.isGraphOutput(value) && !g.hasConsumers(value)) {
            // Logits the file outputs: the layer takes the softmax every convnet4j output ends in.
            return new Tail(ActivationFn.SOFTMAX, value);
        }
        return new Tail(ActivationFn.LINEAR, value);
    }

    static void readRelu(OnnxNode n, ImportGraph g) {
        ImportGraph.Activation x = g.activation(n, 0);
        Node y = new Activation(ActivationFn.RELU).name(g.layerName(n.output(0))).apply(x.node());
        g.define(n.output(0), new ImportGraph.Activation(y, x.onnxRank()));
    }

    static void readSoftmax(OnnxNode n, ImportGraph g) {
        ImportGraph.Activation x = g.activation(n, 0);
        checkSoftmax(n, g, x.onnxRank());
        if (x.node().shape().rank() != 1) {
            throw n.error("expected an N x classes input. Received N x " + x.node().shape());
        }
        Node y = new Activation(ActivationFn.SOFTMAX).name(g.layerName(n.output(0))).apply(x.node());
        g.define(n.output(0), new ImportGraph.Activation(y, x.onnxRank()));
    }

    /** A Softmax over the last axis of an N x K value that is a graph output and nothing else reads. */
    private static void checkSoftmax(OnnxNode n, ImportGraph g, int rank) {
        // Softmax-13 defaults to the last axis; before it, to axis 1 with the rest flattened (the same for N x K).
        long axis = n.integer("axis", g.opset() >= 13 ? -1 : 1);
        if (rank != 2 || (axis != 1 && axis != -1)) {
            throw n.error("expected a softmax over the classes of an N x classes value (axis 1 or -1). Received axis "
                    + axis + " of a rank-" + rank + " value");
        }
        if (!g.isGraphOutput(n.output(0)) || g.hasConsumers(n.output(0))) {
            throw n.error("Softmax is supported only where it writes a graph output (convnet4j fuses it into the loss)");
        }
    }
}
