package org.convnet4j.zoo;

import java.util.LinkedHashSet;
import java.util.Set;

import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;

/**
 * A registered zoo model: how to build it for an input size and class count, and the defaults its
 * reference run used (docs/ZOO.md): input, classes, data set, epochs, batch size, learning rate.
 * Written with {@link #builder}, which names each setting:
 *
 * <pre>{@code
 * ModelSpec.builder("lenet5", LeNet5::build)
 *         .description("LeNet-5 (relu, 28x28) for Fashion-MNIST")
 *         .input(28, 28, 1).classes(10)
 *         .data(DataKind.FASHION_MNIST).epochs(20)
 *         .build();
 * }</pre>
 *
 * @param name the name {@code convnet4j} commands take, such as "lenet5"
 * @param description one line for {@code convnet4j models}
 * @param input the reference run's input size
 * @param classes the reference run's class count
 * @param data the reference run's data set
 * @param epochs the reference run's epochs
 * @param batchSize the reference run's batch size, {@link #REFERENCE_BATCH_SIZE}
 * @param learningRate the reference run's Adam learning rate, {@link #REFERENCE_LEARNING_RATE}
 * @param factory what builds the training form of the model
 * @param keras what builds the keras.applications form (the factory itself where they agree)
 */
public record ModelSpec(String name, String description, InputSize input, int classes, DataKind data,
                        int epochs, int batchSize, double learningRate, Factory factory, Factory keras) {

    /** Every reference run's batch size (docs/ZOO.md's table). */
    public static final int REFERENCE_BATCH_SIZE = 32;
    /** Every reference run's optimizer: Adam at Keras' default learning rate. */
    public static final double REFERENCE_LEARNING_RATE = 0.001;

    /** Builds the model's graph; {@code seed} seeds dropout masks. */
    @FunctionalInterface
    public interface Factory {
        /**
         * Builds the graph.
         *
         * @param input the input size
         * @param classes the number of classes
         * @param seed seeds the dropout masks
         * @return the model
         */
        Model build(InputSize input, int classes, long seed);
    }

    /**
     * A spec named {@code name} whose graph {@code factory} builds; the batch size and learning rate are the reference's.
     *
     * @param name the registry name, e.g. "lenet5"
     * @param factory builds the graph
     * @return a builder for the rest of the spec
     */
    public static Builder builder(String name, Factory factory) {
        return new Builder(name, factory);
    }

    /**
     * The model at its default input and classes, seed 0.
     *
     * @return the model, not yet trained
     */
    public Model build() {
        return factory.build(input, classes, 0);
    }

    /**
     * The model at another input size or number of classes.
     *
     * @param in the input size
     * @param k the number of classes
     * @param seed seeds the dropout masks
     * @return the model, not yet trained
     */
    public Model build(InputSize in, int k, long seed) {
        return factory.build(in, k, seed);
    }

    /**
     * The model as keras.applications builds it, for its weight files: the same graph and names, with
     * Keras' own layer settings where they differ from docs/ZOO.md's training spec (ResNet-50's
     * batch-norm epsilon 1.001e-5 against 1e-3); the same as {@link #build(InputSize, int, long)} elsewhere.
     *
     * @param in   the input size
     * @param k    the number of classes
     * @param seed the seed of the layers that draw one (dropout)
     * @return the model, not yet trained
     */
    public Model buildKeras(InputSize in, int k, long seed) {
        return keras.build(in, k, seed);
    }

    /**
     * The head: the layers Keras' {@code include_top=False} leaves out and a fine-tuning run replaces
     * (the output layers; their names, e.g. {@code predictions}). Everything else is the base.
     *
     * @param m a zoo model
     * @return the names of its head's layers
     */
    public static Set<String> head(Model m) {
        Set<String> names = new LinkedHashSet<>();
        for (Node o : m.outputs()) {
            names.add(o.layer().name());
        }
        return names;
    }

    /** The settings of one spec by name; {@link #build()} checks that each was given. */
    public static final class Builder {
        private final String name;
        private final Factory factory;
        private String description;
        private InputSize input;
        private int classes;
        private DataKind data;
        private int epochs;
        private Factory keras;

        private Builder(String name, Factory factory) {
            this.name = name;
            this.factory = factory;
        }

        /**
         * One line for {@code convnet4j models}.
         *
         * @param d the description
         * @return this builder
         */
        public Builder description(String d) {
            this.description = d;
            return this;
        }

        /**
         * The default input, height x width x channels.
         *
         * @param height rows
         * @param width columns
         * @param channels 1 or 3
         * @return this builder
         */
        public Builder input(int height, int width, int channels) {
            this.input = new InputSize(height, width, channels);
            return this;
        }

        /**
         * The default number of classes: the data set's.
         *
         * @param k the number of classes
         * @return this builder
         */
        public Builder classes(int k) {
            this.classes = k;
            return this;
        }

        /**
         * The data set it trains on by default.
         *
         * @param d the data set's kind
         * @return this builder
         */
        public Builder data(DataKind d) {
            this.data = d;
            return this;
        }

        /**
         * The reference run's number of epochs.
         *
         * @param n the epochs
         * @return this builder
         */
        public Builder epochs(int n) {
            this.epochs = n;
            return this;
        }

        /**
         * The keras.applications form, where its layer settings differ (see {@link ModelSpec#buildKeras}).
         *
         * @param k what builds that form
         * @return this builder
         */
        public Builder keras(Factory k) {
            this.keras = k;
            return this;
        }

        /**
         * The spec.
         *
         * @return the spec
         * @throws IllegalStateException when a setting was not given
         */
        public ModelSpec build() {
            if (description == null || input == null || classes <= 0 || data == null || epochs <= 0) {
                throw new IllegalStateException("ModelSpec " + name + ": expected a description, an input, classes > 0,"
                        + " data and epochs > 0. Received description=" + description + ", input=" + input
                        + ", classes=" + classes + ", data=" + data + ", epochs=" + epochs);
            }
            return new ModelSpec(name, description, input, classes, data, epochs, REFERENCE_BATCH_SIZE,
                    REFERENCE_LEARNING_RATE, factory, keras != null ? keras : factory);
        }
    }
}
