package org.convnet4j.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.convnet4j.graph.Layer;
import org.convnet4j.graph.Node;
import org.convnet4j.onnx.proto.Onnx.TensorProto;

/**
 * What an import knows while it walks the file's nodes in order: every ONNX value read so far, as a
 * model node (an activation) or a constant (an initializer or a Constant node's output), who reads
 * each value, which nodes a reader already took into the layer of the node before them (a Relu run by
 * its Conv), and the parameter values under their checkpoint keys, the initializers' names.
 */
final class ImportGraph {
    /** An ONNX value: a model node's output, or a constant. */
    sealed interface Value permits Activation, Constant {
    }

    /**
     * A model node's output. {@code onnxRank} is the value's rank in the file, batch included: the
     * node's rank plus one, except after GlobalAveragePool, whose N x C x 1 x 1 our layer holds as
     * N x C (the file's Flatten after it is then nothing to do).
     */
    record Activation(Node node, int onnxRank) implements Value {
        boolean collapsed() {
            return onnxRank != node.shape().rank() + 1;
        }
    }

    /** A constant: an initializer (its name becomes a checkpoint key when a layer takes it as a parameter). */
    record Constant(String name, TensorProto tensor) implements Value {
        float[] floats() {
            return Tensors.toFloats(tensor);
        }

        long[] longs() {
            return Tensors.toLongs(tensor);
        }

        long[] dims() {
            return Tensors.dims(tensor);
        }
    }

    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, List<OnnxNode>> consumers = new HashMap<>();
    private final Set<String> graphOutputs;
    private final Set<OnnxNode> absorbed = new HashSet<>();
    private final Map<String, float[]> params = new LinkedHashMap<>();
    private final Set<String> layerNames = new HashSet<>();
    private final int opset;
    private final long fixedBatch;

    /** {@code fixedBatch}: the graph input's batch size where the file fixes it, else -2 (symbolic). */
    ImportGraph(List<OnnxNode> nodes, List<String> graphOutputs, int opset, long fixedBatch) {
        this.fixedBatch = fixedBatch;
        for (OnnxNode n : nodes) {
            for (int i = 0; i < n.inputCount(); i++) {
                if (n.hasInput(i)) {
                    consumers.computeIfAbsent(n.input(i), k -> new ArrayList<>()).add(n);
                }
            }
        }
        this.graphOutputs = new HashSet<>(graphOutputs);
        this.opset = opset;
    }

    /** The default ONNX opset the file imports, which decides attribute defaults that changed between versions. */
    int opset() {
        return opset;
    }

    /** The batch size the file's graph input fixes, or -2 where it is symbolic (matches no reshape target). */
    long fixedBatch() {
        return fixedBatch;
    }

    Value value(OnnxNode n, int i) {
        if (!n.hasInput(i)) {
            throw n.error("input " + i + " is required");
        }
        Value v = values.get(n.input(i));
        if (v == null) {
            throw n.error("input " + i + " '" + n.input(i) + "' is neither a graph input, an initializer nor an"
                    + " earlier node's output (nodes must be in topological order)");
        }
        return v;
    }

    /** The value named {@code name} if it is known by now, else null. */
    Value peek(String name) {
        return values.get(name);
    }

    /** Input i as an activation: a constant there would ask for an op on constants, which import does not fold. */
    Activation activation(OnnxNode n, int i) {
        Value v = value(n, i);
        if (v instanceof Activation a) {
            return a;
        }
        throw n.error("input " + i + " '" + n.input(i) + "' is a constant; convnet4j imports " + n.opType()
                + " on the model's activations only");
    }

    /** Input i as a constant (an initializer or a Constant node's output). */
    Constant constant(OnnxNode n, int i) {
        Value v = value(n, i);
        if (v instanceof Constant c) {
            return c;
        }
        throw n.error("input " + i + " '" + n.input(i) + "' must be a constant (an initializer or a Constant node's"
                + " output). Received a value computed from the graph input");
    }

    /** A model node's output under its ONNX name. */
    void define(String name, Node node) {
        define(name, new Activation(node, node.shape().rank() + 1));
    }

    void define(String name, Value v) {
        if (values.putIfAbsent(name, v) != null) {
            throw new OnnxException("ONNX value '" + name + "' is written twice");
        }
    }

    /** The one node reading {@code value}, or null if it has several readers or none, or is a graph output. */
    OnnxNode soleConsumer(String value) {
        List<OnnxNode> c = consumers.getOrDefault(value, List.of());
        return c.size() == 1 && !graphOutputs.contains(value) ? c.get(0) : null;
    }

    boolean hasConsumers(String value) {
        return consumers.containsKey(value);
    }

    boolean isGraphOutput(String value) {
        return graphOutputs.contains(value);
    }

    /** Marks a node as done by the layer of the node before it; the walk then skips it. */
    void absorb(OnnxNode n) {
        absorbed.add(n);
    }

    boolean absorbed(OnnxNode n) {
        return absorbed.contains(n);
    }

    /**
     * Gives {@code layer}'s parameter {@code param} the constant's values (perhaps folded: transposed,
     * scaled) under the constant's name as its checkpoint key. Our layers do not share parameters, so a
     * constant an earlier layer took already is copied, under {@code name@node} (the ONNX node's name):
     * PyTorch's export merges initializers of equal values (the zero biases of a freshly initialized
     * VGG), which are separate parameters in the model it came from.
     */
    <T extends Layer> T param(OnnxNode n, T layer, String param, Constant c, float[] v) {
        String key = params.containsKey(c.name()) ? c.name() + "@" + n.name() : c.name();
        if (params.putIfAbsent(key, v) != null) {
            throw n.error("initializer '" + c.name() + "' is taken twice by one layer");
        }
        return layer.checkpointKey(param, key);
    }

    /** Parameter values by checkpoint key. */
    Map<String, float[]> params() {
        return params;
    }

    /** A layer name: the ONNX value it writes, made unique if an earlier layer took it. */
    String layerName(String wanted) {
        String name = wanted.isEmpty() ? "layer" : wanted;
        for (int k = 1; !layerNames.add(name); k++) {
            name = wanted + "_" + k;
        }
        return name;
    }

    static String dims(long[] d) {
        return Arrays.toString(d);
    }
}
