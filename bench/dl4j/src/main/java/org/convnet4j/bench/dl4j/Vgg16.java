package org.convnet4j.bench.dl4j;

import static org.convnet4j.bench.dl4j.Layers.bn;
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
 * VGG-16 (configuration D, 224 x 224) and docs/ZOO.md's CIFAR-10 variant (three blocks with batch norm and
 * dropout; the third block pools before its batch norm). Mirrors org.convnet4j.zoo.Vgg16.
 */
final class Vgg16 {
    private static final int[][] BLOCKS = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};

    private Vgg16() {
    }

    static Net vgg16(int h, int w, int c, int classes, long seed) {
        NeuralNetConfiguration.ListBuilder b = Layers.base(seed).list();
        for (int[] block : BLOCKS) {
            convs(b, block);
            b.layer(maxPool(2, 2, false));
        }
        MultiLayerConfiguration conf = b.layer(dense(4096))
                .layer(dense(4096))
                .layer(softmax(classes))
                .setInputType(InputType.convolutional(h, w, c))
                .build();
        return Net.of("vgg16", new MultiLayerNetwork(conf));
    }

    static Net vgg16Cifar(int h, int w, int c, int classes, long seed) {
        NeuralNetConfiguration.ListBuilder b = Layers.base(seed).list();
        convs(b, new int[] {64, 64});
        b.layer(bn()).layer(maxPool(2, 2, false)).layer(dropout(0.4));
        convs(b, new int[] {128, 128});
        b.layer(bn()).layer(maxPool(2, 2, false)).layer(dropout(0.4));
        convs(b, new int[] {256, 256});
        b.layer(maxPool(2, 2, false)).layer(bn()).layer(dropout(0.5));
        MultiLayerConfiguration conf = b.layer(dense(256))
                .layer(dropout(0.5))
                .layer(dense(256))
                .layer(dropout(0.5))
                .layer(softmax(classes))
                .setInputType(InputType.convolutional(h, w, c))
                .build();
        return Net.of("vgg16-cifar", new MultiLayerNetwork(conf));
    }

    private static void convs(NeuralNetConfiguration.ListBuilder b, int[] filters) {
        for (int f : filters) {
            b.layer(convSameRelu(f, 3));
        }
    }
}
