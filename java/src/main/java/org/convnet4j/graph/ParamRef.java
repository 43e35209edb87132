package org.convnet4j.graph;

/**
 * One parameter of a model: the node of its layer, its spec, and its checkpoint key ({@code layer/name},
 * or the key the layer was given for it: {@link Layer#checkpointKey(String, String)}).
 */
public record ParamRef(int index, Node node, ParamSpec spec) {
    /** Whether the optimizer trains it: a trainable parameter ({@link ParamSpec#trainable()}) of a layer not frozen. */
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
