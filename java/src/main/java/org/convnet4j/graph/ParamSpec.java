package org.convnet4j.graph;

import org.convnet4j.tensor.Shape;

/**
 * A parameter a layer declares: its name within the layer ({@code kernel}, {@code bias},
 * {@code gamma}, {@code moving_mean}), shape, whether the optimizer trains it, and its initializer.
 * The checkpoint key is {@code layer/name}.
 */
public record ParamSpec(String name, Shape shape, boolean trainable, Initializer initializer) {
}
