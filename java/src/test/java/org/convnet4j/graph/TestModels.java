package org.convnet4j.graph;

import org.convnet4j.graph.layers.AveragePooling2D;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.ops.Padding;

/** Models the graph and training tests share, written as the zoo's definitions (docs/ZOO.md) read. */
public final class TestModels {
    private TestModels() {
    }

    /**
     * LeNet-5 of the zoo: Conv2D(6, 5x5, same, relu) -> AveragePooling2D(2) -> Conv2D(16, 5x5, same,
     * relu) -> AveragePooling2D(2) -> Flatten -> Dense(120, relu) -> Dense(84, relu) -> Dense(classes, softmax).
     */
    public static Model lenet5(int classes) {
        Node in = Input.image(28, 28, 1);
        Node x = new Conv2D(6, 5).padding(Padding.SAME).activation(ActivationFn.RELU).apply(in);
        x = new AveragePooling2D(2).apply(x);
        x = new Conv2D(16, 5).padding(Padding.SAME).activation(ActivationFn.RELU).apply(x);
        x = new AveragePooling2D(2).apply(x);
        x = new Flatten().apply(x);
        x = new Dense(120).activation(ActivationFn.RELU).apply(x);
        x = new Dense(84).activation(ActivationFn.RELU).apply(x);
        Node out = new Dense(classes).activation(ActivationFn.SOFTMAX).apply(x);
        return Model.of("lenet5", in, out);
    }

    /**
     * LeNet-5 with a BatchNormalization after each convolution and a Dropout(rate) after each hidden
     * dense layer, so that training and inference differ (batch against moving statistics, dropout).
     */
    public static Model lenet5WithBatchNormAndDropout(int classes, double rate) {
        return lenet5WithBatchNormAndDropout(new GraphReference(1), classes, rate);
    }

    /** The same, built through a float64 twin (whose batch size is the one its forward takes). */
    public static Model lenet5WithBatchNormAndDropout(GraphReference g, int classes, double rate) {
        Node in = g.input(28, 28, 1);
        Node x = g.averagePool(g.batchNorm(g.conv(in, 6, 5, 1, Padding.SAME, ActivationFn.RELU)), 2, 2, Padding.VALID);
        x = g.averagePool(g.batchNorm(g.conv(x, 16, 5, 1, Padding.SAME, ActivationFn.RELU)), 2, 2, Padding.VALID);
        x = g.flatten(x);
        x = g.dropout(g.dense(x, 120, ActivationFn.RELU), rate, "dropout", 1);
        x = g.dropout(g.dense(x, 84, ActivationFn.RELU), rate, "dropout_1", 2);
        return Model.of("lenet5_bn_dropout", in, g.dense(x, classes, ActivationFn.SOFTMAX));
    }
}
