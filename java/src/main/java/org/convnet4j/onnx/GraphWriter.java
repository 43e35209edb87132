package org.convnet4j.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
import org.convnet4j.onnx.proto.Onnx.AttributeProto;
import org.convnet4j.onnx.proto.Onnx.GraphProto;
import org.convnet4j.onnx.proto.Onnx.NodeProto;

/**
 * The graph an export is writing: nodes, initializers, and the ONNX value name of every model node's
 * output. A layer becomes a chain of ONNX nodes (Conv, then Relu); the chain's last node writes the
 * value named after the layer, the others values named {@code layer/OpType}, so the file reads like
 * the model's summary. Parameters become initializers under their checkpoint keys; the constants
 * export adds (a Pad's pads, a Dropout's ratio) get names of their own that collide with nothing.
 */
final class GraphWriter {
    private final GraphProto.Builder graph;
    private final Weights weights;
    private final Map<Node, String> values = new HashMap<>();
    private final Set<String> valueNames = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();
    private final Map<Node, List<ParamRef>> params = new HashMap<>();

    GraphWriter(Model model, Weights weights, GraphProto.Builder graph) {
        this.graph = graph;
        this.weights = weights;
        for (Node n : model.nodes()) {
            valueNames.add(n.layer().name());
        }
        for (ParamRef p : model.params()) {
            valueNames.add(p.key());
            params.computeIfAbsent(p.node(), k -> new ArrayList<>()).add(p);
        }
    }

    /** The value holding node {@code n}'s output; n is written before its readers (topological order). */
    String value(Node n) {
        String v = values.get(n);
        if (v == null) {
            throw new IllegalStateException("ONNX export: " + n + " is read before it is written");
        }
        return v;
    }

    /** Names node {@code n}'s output without writing a node (the model input, a layer that is the identity in inference). */
    void define(Node n, String value) {
        values.put(n, value);
    }

    /** Parameter {@code name} of node n's layer as an initializer under its checkpoint key; returns the key. */
    String param(Node n, String name) {
        for (ParamRef p : params.getOrDefault(n, List.of())) {
            if (p.spec().name().equals(name)) {
                graph.addInitializer(Tensors.floats(p.key(), p.spec().shape().dims(), weights.read(p)));
                return p.key();
            }
        }
        throw new IllegalStateException("ONNX export: layer " + n.layer().name() + " has no parameter " + name);
    }

    /** A float32 constant of export's own, named {@code wanted} or wanted_1, ... when that is taken. */
    String constant(String wanted, long[] dims, float[] v) {
        String name = unique(wanted, valueNames);
        graph.addInitializer(Tensors.floats(name, dims, v));
        return name;
    }

    /** An int64 constant of export's own (a Pad's pads). */
    String constant(String wanted, long[] dims, long[] v) {
        String name = unique(wanted, valueNames);
        graph.addInitializer(Tensors.longs(name, dims, v));
        return name;
    }

    /** Starts the chain of ONNX nodes that computes node n. */
    Chain chain(Node n) {
        return new Chain(n);
    }

    private static String unique(String wanted, Set<String> taken) {
        String name = wanted;
        for (int k = 1; !taken.add(name); k++) {
            name = wanted + "_" + k;
        }
        return name;
    }

    /** The nodes of one layer, in order; {@link #end} gives the last one the layer's value name. */
    final class Chain {
        private final Node node;
        private final List<NodeProto.Builder> nodes = new ArrayList<>();

        private Chain(Node node) {
            this.node = node;
        }

        /** Appends an op reading {@code inputs}; returns the name of its output, which the next op may read. */
        String add(String opType, List<String> inputs, AttributeProto... attributes) {
            String layer = node.layer().name();
            String out = unique(layer + "/" + opType, valueNames);
            NodeProto.Builder b = NodeProto.newBuilder().setOpType(opType).setName(unique(layer + "/" + opType, nodeNames))
                    .addAllInput(inputs).addOutput(out);
            for (AttributeProto a : attributes) {
                b.addAttribute(a);
            }
            nodes.add(b);
            return out;
        }

        /** Writes the chain: its last op's output becomes the value named after the layer. */
        void end() {
            if (nodes.isEmpty()) {
                throw new IllegalStateException("ONNX export: layer " + node.layer().name() + " wrote no node");
            }
            NodeProto.Builder last = nodes.get(nodes.size() - 1);
            valueNames.remove(last.getOutput(0));
            last.setOutput(0, node.layer().name());
            for (NodeProto.Builder b : nodes) {
                graph.addNode(b);
            }
            values.put(node, node.layer().name());
        }
    }
}
