package org.convnet4j.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.BatchNormalization;

/**
 * BatchNormalization both ways, inference form: (x - mean) / sqrt(var + epsilon) * scale + B with the
 * layer's own epsilon. ONNX's momentum has Keras' meaning (moving = moving * momentum + batch *
 * (1 - momentum)), so it is written and read as it is. A layer without gamma (Keras' scale=False)
 * is written with a scale of ones named {@code layer/gamma}; imported, that scale is a parameter.
 */
final class BatchNormOnnx {
    private BatchNormOnnx() {
    }

    static void write(BatchNormalization layer, Node n, GraphWriter g) {
        String scale;
        if (layer.scaled()) {
            scale = g.param(n, "gamma");
        } else {
            long c = n.shape().dim(0);
            float[] ones = new float[Math.toIntExact(c)];
            Arrays.fill(ones, 1f);
            scale = g.constant(layer.name() + "/gamma", new long[] {c}, ones);
        }
        List<String> inputs = new ArrayList<>(List.of(g.value(n.inputs().get(0)), scale, g.param(n, "beta"),
                g.param(n, "moving_mean"), g.param(n, "moving_variance")));
        GraphWriter.Chain c = g.chain(n);
        c.add("BatchNormalization", inputs, Attributes.real("epsilon", layer.epsilon()),
                Attributes.real("momentum", layer.momentum()));
        c.end();
    }

    static void read(OnnxNode n, ImportGraph g) {
        ImportGraph.Activation x = g.activation(n, 0);
        if (n.integer("training_mode", 0) != 0) {
            throw n.error("training_mode=1 is not supported: import reads the inference form (moving statistics)");
        }
        if (n.integer("spatial", 1) != 1) {
            throw n.error("spatial=0 is not supported (one mean and variance per channel)");
        }
        for (int i = 1; i < n.outputCount(); i++) {
            if (!n.output(i).isEmpty() && g.hasConsumers(n.output(i))) {
                throw n.error("output " + i + " (training statistics) is not supported");
            }
        }
        long channels = x.node().shape().dim(0);
        String[] params = {"gamma", "beta", "moving_mean", "moving_variance"};
        ImportGraph.Constant[] constants = new ImportGraph.Constant[4];
        for (int i = 0; i < 4; i++) {
            constants[i] = g.constant(n, i + 1);
            long[] d = constants[i].dims();
            if (d.length != 1 || d[0] != channels) {
                throw n.error("expected " + params[i] + " (input " + (i + 1) + ") of " + channels + " values. Received dims "
                        + ImportGraph.dims(d));
            }
        }
        BatchNormalization bn = new BatchNormalization().epsilon(n.real("epsilon", 1e-5f))
                .momentum(n.real("momentum", 0.9f)).name(g.layerName(n.output(0)));
        for (int i = 0; i < 4; i++) {
            g.param(n, bn, params[i], constants[i], constants[i].floats());
        }
        g.define(n.output(0), new ImportGraph.Activation(bn.apply(x.node()), x.onnxRank()));
    }
}
