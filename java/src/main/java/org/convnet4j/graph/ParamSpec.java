package org.convnet4j.graph;

import org.convnet4j.tensor.Shape;

/**
 * A parameter a layer declares: its name within the layer ({@code kernel}, {@code bias},
 * {@code gamma}, {@code moving_mean}), shape, whether the optimizer trains it, and its initializer.
 * The checkpoint key is {@code layer/name}.
 *
 * @param name the name within its layer, such as "kernel"
 * @param shape its shape
 * @param trainable whether the optimizer trains it (false for batch norm's moving statistics)
 * @param initializer how {@link Weights#initialize} fills it
 */
public record ParamSpec(String name, Shape shape, boolean trainable, Initializer initializer) {
}
