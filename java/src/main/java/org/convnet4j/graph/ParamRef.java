package org.convnet4j.graph;

/**
 * One parameter of a model: the node of its layer, its spec, and its checkpoint key ({@code layer/name},
 * or the key the layer was given for it: {@link Layer#checkpointKey(String, String)}).
 *
 * @param index its index among the model's parameters, the order of {@link Model#params()}
 * @param node the node of the layer that owns it
 * @param spec its name, shape, trainability and initializer
 */
public record ParamRef(int index, Node node, ParamSpec spec) {
    /**
     * Whether the optimizer trains it: a trainable parameter ({@link ParamSpec#trainable()}) of a layer not frozen.
     *
     * @return true when both are trainable
     */
    public boolean trainable() {
        return spec.trainable() && node.layer().trainable();
    }

    /**
     * The checkpoint key.
     *
     * @return e.g. "conv2d_1/kernel"
     */
    public String key() {
        return node.layer().checkpointKey(spec.name());
    }
}
