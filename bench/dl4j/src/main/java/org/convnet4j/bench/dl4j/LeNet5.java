package org.convnet4j.bench.dl4j;

import static org.convnet4j.bench.dl4j.Layers.avgPool;
import static org.convnet4j.bench.dl4j.Layers.convSameRelu;
import static org.convnet4j.bench.dl4j.Layers.dense;
import static org.convnet4j.bench.dl4j.Layers.softmax;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * LeNet-5 as docs/ZOO.md defines it: conv 6@5x5 same relu, avg-pool 2, conv 16@5x5 same relu, avg-pool 2,
 * flatten, dense 120 relu, dense 84 relu, softmax. Mirrors org.convnet4j.zoo.LeNet5.
 */
final class LeNet5 {
    private LeNet5() {
    }

    static Net build(int h, int w, int c, int classes, long seed) {
        MultiLayerConfiguration conf = Layers.base(seed).list()
                .layer(convSameRelu(6, 5))
                .layer(avgPool(2, 2, false))
                .layer(convSameRelu(16, 5))
                .layer(avgPool(2, 2, false))
                .layer(dense(120))
                .layer(dense(84))
                .layer(softmax(classes))
                .setInputType(InputType.convolutional(h, w, c))
                .build();
        return Net.of("lenet5", new MultiLayerNetwork(conf));
    }
}
