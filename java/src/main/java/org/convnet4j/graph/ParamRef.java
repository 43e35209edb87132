package org.convnet4j.graph;

/** One parameter of a model: the node of its layer, its spec, and its checkpoint key {@code layer/name}. */
public record ParamRef(int index, Node node, ParamSpec spec) {
    public String key() {
        return node.layer().name() + "/" + spec.name();
    }
}
