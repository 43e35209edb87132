package org.convnet4j.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.convnet4j.tensor.Shape;

/**
 * A layer in the Keras lifecycle: configure (constructor and setters), apply to input nodes (which
 * infers and checks shapes and claims a name), then bind to a backend for a batch size (which
 * yields the {@link Bound} that runs forward and backward). One layer object is applied once.
 */
public abstract class Layer {
    private String requestedName;
    private String name;
    private Node output;
    private final Map<String, String> checkpointKeys = new HashMap<>();
    private boolean trainable = true;

    /**
     * The Keras class name shown by summary(), e.g. "Conv2D".
     *
     * @return the layer's type name
     */
    public abstract String type();

    /**
     * Output shape per sample from the inputs' shapes; throws IllegalArgumentException naming this layer.
     *
     * @param inputs the per-sample shapes of the inputs, in apply order
     * @return the per-sample output shape
     * @throws IllegalArgumentException if the inputs do not fit this layer
     */
    protected abstract Shape outputShape(List<Shape> inputs);

    /**
     * The parameters this layer owns for these input shapes (none by default).
     *
     * @param inputs the per-sample shapes of the inputs
     * @return the parameters' names, shapes and initializers, in the order {@link Binding#params} holds them
     */
    public List<ParamSpec> params(List<Shape> inputs) {
        return List.of();
    }

    /**
     * Whether backward must write every input's gradient even where the input is the model's own
     * input, which needs none (batch norm and concat compute them in one primitive). Others skip it:
     * the first convolution then never runs its backward-data pass.
     *
     * @return false unless the layer always computes its input gradients
     */
    public boolean needsInputGradients() {
        return false;
    }

    /**
     * A runnable instance of this layer for one batch size on one backend.
     *
     * @param binding the backend, batch size and the tensors it reads and writes (owned by the executor)
     * @return the bound layer; the executor closes it, which releases only what it allocated itself
     */
    public abstract Bound bind(Binding binding);

    /**
     * Sets the name (before apply); names are checkpoint keys and must be unique in a model.
     *
     * @param <T> this layer's own type, for chaining
     * @param n the name; null for Keras' default (type in snake case, numbered)
     * @return this layer
     * @throws IllegalStateException if the layer was already applied
     */
    @SuppressWarnings("unchecked")
    public <T extends Layer> T name(String n) {
        if (name != null) {
            throw new IllegalStateException("Layer " + name + " is already applied; name it before applying");
        }
        this.requestedName = n;
        return (T) this;
    }

    /**
     * The name claimed when the layer was applied.
     *
     * @return the unique name in its model, or null before {@link #apply}
     */
    public String name() {
        return name;
    }

    /**
     * Stores parameter {@code param} ({@code kernel}, {@code gamma}, ...) under {@code key} in
     * checkpoints instead of {@code layer/param}: a model read from an ONNX file keeps that file's
     * initializer names. Set before apply; {@link Model} refuses keys two parameters share.
     *
     * @param <T> this layer's own type, for chaining
     * @param param the parameter's name in {@link #params}
     * @param key its key in checkpoints, not empty
     * @return this layer
     * @throws IllegalStateException if the layer was already applied
     * @throws IllegalArgumentException if the key is null or empty
     */
    @SuppressWarnings("unchecked")
    public <T extends Layer> T checkpointKey(String param, String key) {
        if (output != null) {
            throw new IllegalStateException("Layer " + name + " is already applied; give its checkpoint keys before applying");
        }
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException(type() + ": expected a non-empty checkpoint key for " + param + ". Received '" + key + "'");
        }
        checkpointKeys.put(param, key);
        return (T) this;
    }

    /**
     * The checkpoint key of this layer's parameter {@code param}: {@code layer/param} unless another was given.
     *
     * @param param the parameter's name
     * @return its key in checkpoints
     */
    public String checkpointKey(String param) {
        String k = checkpointKeys.get(param);
        return k != null ? k : name + "/" + param;
    }

    /**
     * Keras' {@code layer.trainable}: false freezes the layer. The optimizer then neither updates its
     * parameters nor holds state for them, training computes no gradients for them, a frozen
     * {@code BatchNormalization} runs in inference mode (its moving statistics, Keras' behaviour since
     * 2.1), and {@code summary()} counts its parameters as non-trainable. Set it before making the
     * {@code Trainer} and {@code Optimizer}, as Keras wants {@code compile()} after a change.
     *
     * @param <T> this layer's own type, for chaining
     * @param t false to freeze the layer
     * @return this layer
     */
    @SuppressWarnings("unchecked")
    public <T extends Layer> T trainable(boolean t) {
        this.trainable = t;
        return (T) this;
    }

    /**
     * Whether the optimizer trains this layer's trainable parameters (true unless frozen).
     *
     * @return false when frozen
     */
    public boolean trainable() {
        return trainable;
    }

    /**
     * Applies this layer to its inputs and returns the node of its output: infers and checks the
     * output shape and claims the layer's name in the inputs' model.
     *
     * @param inputs the input nodes, at least one, all of one model
     * @return the node of this layer's output
     * @throws IllegalStateException if this layer object was already applied
     * @throws IllegalArgumentException if there is no input, the inputs come from different models, or
     *         their shapes do not fit this layer (the message names the layer and the shapes)
     */
    public Node apply(Node... inputs) {
        if (output != null) {
            throw new IllegalStateException("Layer " + name + " is already applied; make a new layer object to reuse its configuration");
        }
        if (inputs.length == 0) {
            throw new IllegalArgumentException(type() + ": apply needs at least one input node");
        }
        Graph g = inputs[0].graph();
        for (Node n : inputs) {
            if (n.graph() != g) {
                throw new IllegalArgumentException(type() + ": inputs come from different models");
            }
        }
        return attach(g, Arrays.asList(inputs));
    }

    /**
     * Starts a new model's graph with an input layer (for {@link org.convnet4j.graph.layers.Input}).
     *
     * @param input the input layer, applied to no node
     * @return the input layer's node, the first of a new graph
     */
    protected static Node startGraph(Layer input) {
        return input.attach(new Graph(), List.of());
    }

    Node attach(Graph g, List<Node> inputs) {
        List<Shape> shapes = new ArrayList<>();
        for (Node n : inputs) {
            shapes.add(n.shape());
        }
        Shape out;
        try {
            out = outputShape(shapes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Layer " + g.peek(requestedName, defaultPrefix()) + " (" + type() + "): "
                    + e.getMessage()
                    + ". Input shapes: " + shapes, e);
        }
        // Claimed only once the shapes check out, so a corrected retry can keep its name.
        this.name = g.claim(requestedName, defaultPrefix());
        output = g.add(this, inputs, out);
        return output;
    }

    /**
     * Keras' default name prefix: the type in snake case (Conv2D -&gt; conv2d, MaxPooling2D -&gt; max_pooling2d).
     *
     * @return the prefix that unnamed layers of this type are numbered after
     */
    protected String defaultPrefix() {
        String t = type();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            boolean boundary = Character.isUpperCase(c) && i > 0
                    && (Character.isLowerCase(t.charAt(i - 1))
                        || (i + 1 < t.length() && Character.isLowerCase(t.charAt(i + 1)) && Character.isUpperCase(t.charAt(i - 1))));
            if (boundary) {
                b.append('_');
            }
            b.append(Character.toLowerCase(c));
        }
        return b.toString();
    }

    /**
     * The node of this layer's output.
     *
     * @return the node, or null before {@link #apply}
     */
    public Node output() {
        return output;
    }

    /**
     * The per-sample shape, checked to be an image (C x H x W).
     *
     * @param in a per-sample shape
     * @return {@code in}
     * @throws IllegalArgumentException if it is not rank 3
     */
    protected static Shape requireImage(Shape in) {
        if (in.rank() != 3) {
            throw new IllegalArgumentException("expected an image input (C x H x W). Received " + in);
        }
        return in;
    }

    /**
     * A per-sample shape with a batch axis of n in front.
     *
     * @param perSample the shape of one sample
     * @param n the batch size
     * @return n x perSample
     */
    protected static Shape batched(Shape perSample, long n) {
        long[] d = perSample.dims();
        long[] b = new long[d.length + 1];
        b[0] = n;
        System.arraycopy(d, 0, b, 1, d.length);
        return Shape.of(b);
    }

    /**
     * A batched shape without its batch axis.
     *
     * @param batched a shape whose axis 0 is the batch
     * @return its other axes
     */
    protected static Shape perSample(Shape batched) {
        return Shape.of(java.util.Arrays.copyOfRange(batched.dims(), 1, batched.rank()));
    }
}
