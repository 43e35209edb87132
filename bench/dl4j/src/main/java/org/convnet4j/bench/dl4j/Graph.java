package org.convnet4j.bench.dl4j;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** A thin helper over DL4J's GraphBuilder: each call adds a named vertex and returns its name. */
final class Graph {
    static final String INPUT = "input";

    private final ComputationGraphConfiguration.GraphBuilder b;
    private int unnamed;

    Graph(long seed, int h, int w, int c) {
        b = Layers.base(seed).graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(h, w, c));
    }

    String layer(String name, Layer layer, String... inputs) {
        b.addLayer(name, layer, inputs);
        return name;
    }

    /** A layer named like Keras' defaults (conv2d_N, batch_normalization_N, ...): by kind and count. */
    String layer(Layer layer, String input) {
        String kind = layer.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        return layer(kind + "_" + (unnamed++), layer, input);
    }

    /** Concatenation along channels (NCHW dimension 1). */
    String concat(String name, String... inputs) {
        b.addVertex(name, new MergeVertex(), inputs);
        return name;
    }

    String add(String name, String a, String c) {
        b.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), a, c);
        return name;
    }

    ComputationGraph build(String... outputs) {
        b.setOutputs(outputs);
        return new ComputationGraph(b.build());
    }
}
