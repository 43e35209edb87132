package org.convnet4j.zoo;

import org.convnet4j.graph.Model;

/**
 * A registered zoo model: how to build it for an input size and class count, and the defaults its
 * reference run used (../shared/ZOO.md): input, classes, data set, epochs, batch size, learning rate.
 */
public record ModelSpec(String name, String description, InputSize input, int classes, DataKind data,
                        int epochs, int batchSize, double learningRate, Builder builder) {

    /** Builds the model's graph; {@code seed} seeds dropout masks. */
    @FunctionalInterface
    public interface Builder {
        Model build(InputSize input, int classes, long seed);
    }

    public Model build() {
        return builder.build(input, classes, 0);
    }

    public Model build(InputSize in, int k, long seed) {
        return builder.build(in, k, seed);
    }
}
