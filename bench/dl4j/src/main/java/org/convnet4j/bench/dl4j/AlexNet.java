package org.convnet4j.bench.dl4j;

import static org.convnet4j.bench.dl4j.Layers.bn;
import static org.convnet4j.bench.dl4j.Layers.conv;
import static org.convnet4j.bench.dl4j.Layers.convSameRelu;
import static org.convnet4j.bench.dl4j.Layers.dense;
import static org.convnet4j.bench.dl4j.Layers.dropout;
import static org.convnet4j.bench.dl4j.Layers.maxPool;
import static org.convnet4j.bench.dl4j.Layers.softmax;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * AlexNet (227 x 227, batch norm after conv1 and conv2, after their pooling) and AlexNet8 (CIFAR-10,
 * 3x3 kernels, batch norm before pooling, 2048-unit dense layers). Mirrors org.convnet4j.zoo.AlexNet.
 */
final class AlexNet {
    private AlexNet() {
    }

    static Net alexnet(int h, int w, int c, int classes, long seed) {
        NeuralNetConfiguration.ListBuilder b = Layers.base(seed).list()
                .layer(conv(96, 11, 11, 4, false, true))     // conv1, valid
                .layer(maxPool(3, 2, false))
                .layer(bn())
                .layer(convSameRelu(256, 5))                 // conv2
                .layer(maxPool(3, 2, false))
                .layer(bn())
                .layer(convSameRelu(384, 3))                 // conv3
                .layer(convSameRelu(384, 3))                 // conv4
                .layer(convSameRelu(256, 3))                 // conv5
                .layer(maxPool(3, 2, false));
        return Net.of("alexnet", new MultiLayerNetwork(classifier(b, 4096, classes, h, w, c)));
    }

    static Net alexnet8(int h, int w, int c, int classes, long seed) {
        NeuralNetConfiguration.ListBuilder b = Layers.base(seed).list()
                .layer(convSameRelu(96, 3))
                .layer(bn())
                .layer(maxPool(3, 2, false))
                .layer(convSameRelu(256, 3))
                .layer(bn())
                .layer(maxPool(3, 2, false))
                .layer(convSameRelu(384, 3))
                .layer(convSameRelu(384, 3))
                .layer(convSameRelu(256, 3))
                .layer(maxPool(3, 2, false));
        return Net.of("alexnet8", new MultiLayerNetwork(classifier(b, 2048, classes, h, w, c)));
    }

    /** Flatten (implicit), fc6, dropout 0.5, fc7, dropout 0.5, softmax. */
    private static MultiLayerConfiguration classifier(NeuralNetConfiguration.ListBuilder b, int units, int classes,
                                                      int h, int w, int c) {
        return b.layer(dense(units))
                .layer(dropout(0.5))
                .layer(dense(units))
                .layer(dropout(0.5))
                .layer(softmax(classes))
                .setInputType(InputType.convolutional(h, w, c))
                .build();
    }
}
