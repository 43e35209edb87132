package org.convnet4j.graph;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.tensor.Shape;

/**
 * A model: one input, one or more softmax outputs with loss weights (GoogLeNet trains on
 * main + 0.3 aux1 + 0.3 aux2 and predicts with the main output, the first). Holds the nodes that
 * lead to the outputs in topological order and every parameter with its checkpoint key.
 */
public final class Model {
    private final String name;
    private final Node input;
    private final List<Node> outputs;
    private final double[] lossWeights;
    private final List<Node> nodes;
    private final List<ParamRef> params;

    private Model(String name, Node input, List<Node> outputs, double[] lossWeights) {
        this.name = name;
        this.input = input;
        this.outputs = List.copyOf(outputs);
        this.lossWeights = lossWeights.clone();
        this.nodes = reachable(outputs);
        if (!nodes.contains(input)) {
            throw new IllegalArgumentException("Model " + name + ": the outputs do not depend on the input " + input);
        }
        for (Node n : nodes) {
            if (n.inputs().isEmpty() && n != input) {
                throw new IllegalArgumentException("Model " + name + ": node " + n + " is a second input; one input is supported");
            }
            if (isSoftmax(n) && !outputs.contains(n)) {
                throw new IllegalArgumentException("Model " + name + ": layer " + n.layer().name()
                        + " has a softmax but is not a model output; softmax is fused into the loss at outputs only");
            }
        }
        for (Node o : outputs) {
            if (!isSoftmax(o)) {
                throw new IllegalArgumentException("Model " + name + ": output " + o.layer().name()
                        + " must end in a softmax (Dense(..., softmax) or Activation(softmax)) for the cross-entropy loss");
            }
        }
        List<ParamRef> ps = new ArrayList<>();
        for (Node n : nodes) {
            for (ParamSpec s : n.layer().params(inputShapes(n))) {
                ps.add(new ParamRef(ps.size(), n, s));
            }
        }
        this.params = List.copyOf(ps);
        Set<String> keys = new HashSet<>();
        for (ParamRef p : params) {
            if (!keys.add(p.key())) {
                throw new IllegalArgumentException("Model " + name + ": two parameters have the checkpoint key '" + p.key()
                        + "' (the second is " + p.spec().name() + " of layer " + p.node().layer().name() + ")");
            }
        }
    }

    /**
     * A model of one input and one output: the graph between them, checked.
     *
     * @param name the model's name, e.g. "lenet5"
     * @param input the node {@code Input.image} returned
     * @param output the last layer's node; a softmax here is fused into the loss
     * @return the model
     */
    public static Model of(String name, Node input, Node output) {
        return new Model(name, input, List.of(output), new double[] {1.0});
    }

    /**
     * Several outputs, the first the main one; {@code lossWeights[i]} weights output i's loss in training.
     *
     * @param name the model's name
     * @param input the node {@code Input.image} returned
     * @param outputs the output nodes
     * @param lossWeights one weight per output
     * @return the model
     */
    public static Model of(String name, Node input, List<Node> outputs, double... lossWeights) {
        if (outputs.isEmpty() || outputs.size() != lossWeights.length) {
            throw new IllegalArgumentException("Model " + name + ": expected one loss weight per output. Received "
                    + outputs.size() + " outputs and " + lossWeights.length + " weights");
        }
        return new Model(name, input, outputs, lossWeights);
    }

    static boolean isSoftmax(Node n) {
        Layer l = n.layer();
        return (l instanceof Dense d && d.activation() == ActivationFn.SOFTMAX)
                || (l instanceof Conv2D c && c.activation() == ActivationFn.SOFTMAX)
                || (l instanceof Activation a && a.activation() == ActivationFn.SOFTMAX);
    }

    private static List<Node> reachable(List<Node> outputs) {
        Set<Node> seen = new HashSet<>();
        ArrayList<Node> stack = new ArrayList<>(outputs);
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (seen.add(n)) {
                stack.addAll(n.inputs());
            }
        }
        List<Node> order = new ArrayList<>(seen);
        order.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return List.copyOf(order);
    }

    static List<Shape> inputShapes(Node n) {
        List<Shape> s = new ArrayList<>();
        for (Node i : n.inputs()) {
            s.add(i.shape());
        }
        return s;
    }

    /**
     * The model's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The input node.
     *
     * @return the input
     */
    public Node input() {
        return input;
    }

    /**
     * The output nodes, the main one first.
     *
     * @return the outputs
     */
    public List<Node> outputs() {
        return outputs;
    }

    /**
     * The weight of an output's loss in training.
     *
     * @param i the output's index
     * @return its weight
     */
    public double lossWeight(int i) {
        return lossWeights[i];
    }

    /**
     * Nodes in topological order, the input first.
     *
     * @return every node
     */
    public List<Node> nodes() {
        return nodes;
    }

    /**
     * Every parameter, in layer order: the order of checkpoints and initialization.
     *
     * @return the parameters
     */
    public List<ParamRef> params() {
        return params;
    }

    /**
     * The nodes that read {@code n}, in topological order (a node reading n twice appears twice).
     *
     * @param n a node of this model
     * @return its readers
     */
    public List<Node> consumers(Node n) {
        List<Node> c = new ArrayList<>();
        for (Node m : nodes) {
            for (Node i : m.inputs()) {
                if (i == n) {
                    c.add(m);
                }
            }
        }
        return c;
    }

    /**
     * Freezes ({@code false}) or unfreezes every layer whose name starts with {@code namePrefix}, as
     * Keras' {@code for layer in model.layers: if layer.name.startswith(p): layer.trainable = t}; the
     * empty prefix matches every layer. Returns the names of the layers it set; a prefix that matches no
     * layer is an IllegalArgumentException (a typo would otherwise freeze nothing).
     * See {@link Layer#trainable(boolean)}.
     *
     * @param namePrefix the start of the names of the layers to set; "" for all
     * @param trainable false to freeze, true to unfreeze
     * @return the names of the layers set, in graph order
     * @throws IllegalArgumentException if no layer's name starts with the prefix
     */
    public List<String> trainable(String namePrefix, boolean trainable) {
        List<String> set = new ArrayList<>();
        for (Node n : nodes) {
            if (n.layer().name().startsWith(namePrefix)) {
                n.layer().trainable(trainable);
                set.add(n.layer().name());
            }
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("Model " + name + ": no layer's name starts with '" + namePrefix + "'");
        }
        return set;
    }

    /**
     * The nodes whose backward training must run: those with a parameter the optimizer trains, and
     * every node that depends on one. With a frozen base only the head's backward runs.
     *
     * @return a new set of those nodes
     */
    public Set<Node> needBackward() {
        Set<Node> need = new HashSet<>();
        for (ParamRef p : params) {
            if (p.trainable()) {
                need.add(p.node());
            }
        }
        for (Node n : nodes) { // topological order: inputs are settled first
            for (Node i : n.inputs()) {
                if (need.contains(i)) {
                    need.add(n);
                }
            }
        }
        return need;
    }

    /**
     * The number of classes: the main output's width.
     *
     * @return the classes
     */
    public int classes() {
        return outputs.get(0).shape().intDim(0);
    }

    /**
     * Parameter values, trainable or not (the summary's "Total params").
     *
     * @return the count
     */
    public long totalParams() {
        return count(null);
    }

    /**
     * Values the optimizer updates.
     *
     * @return the count
     */
    public long trainableParams() {
        return count(true);
    }

    /**
     * Values it does not (batch norms' moving statistics).
     *
     * @return the count
     */
    public long nonTrainableParams() {
        return count(false);
    }

    private long count(Boolean trainable) {
        long n = 0;
        for (ParamRef p : params) {
            if (trainable == null || p.trainable() == trainable) {
                n += p.spec().shape().size();
            }
        }
        return n;
    }

    /**
     * The Keras-style summary table; see {@link Summary}.
     *
     * @return the table, ending in a newline
     */
    public String summary() {
        return Summary.of(this);
    }
}
