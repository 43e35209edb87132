package org.convnet4j.bench.dl4j;

import static org.convnet4j.bench.dl4j.Layers.avgPool;
import static org.convnet4j.bench.dl4j.Layers.conv;
import static org.convnet4j.bench.dl4j.Layers.convSameRelu;
import static org.convnet4j.bench.dl4j.Layers.dense;
import static org.convnet4j.bench.dl4j.Layers.dropout;
import static org.convnet4j.bench.dl4j.Layers.globalAvgPool;
import static org.convnet4j.bench.dl4j.Layers.maxPool;
import static org.convnet4j.bench.dl4j.Layers.softmax;

/**
 * GoogLeNet / Inception v1 as docs/ZOO.md gives it: the stem, nine inception modules, two auxiliary heads
 * (after 4a and 4d) whose losses weigh 0.3 each against the main one's 1. Outputs, in order: main,
 * aux 1, aux 2. Mirrors org.convnet4j.zoo.GoogLeNet.
 */
final class GoogLeNet {
    static final double AUX_LOSS_WEIGHT = 0.3;

    private GoogLeNet() {
    }

    static Net build(int h, int w, int c, int classes, long seed) {
        Graph g = new Graph(seed, h, w, c);
        String x = g.layer("conv1_7x7_s2", conv(64, 7, 7, 2, false, true), Graph.INPUT);
        x = g.layer("pool1_3x3_s2", maxPool(3, 2, false), x);
        x = g.layer("conv2_3x3_reduce", conv(64, 1, 1, 1, false, true), x);
        x = g.layer("conv2_3x3", convSameRelu(192, 3), x);
        x = g.layer("pool2_3x3_s2", maxPool(3, 2, false), x);
        x = inception(g, x, "inception_3a", 64, 96, 128, 16, 32, 32);
        x = inception(g, x, "inception_3b", 128, 128, 192, 32, 96, 64);
        x = g.layer("pool3_3x3_s2", maxPool(3, 2, false), x);
        x = inception(g, x, "inception_4a", 192, 96, 208, 16, 48, 64);
        String aux1 = auxiliary(g, x, "loss1", classes);
        x = inception(g, x, "inception_4b", 160, 112, 224, 24, 64, 64);
        x = inception(g, x, "inception_4c", 128, 128, 256, 24, 64, 64);
        x = inception(g, x, "inception_4d", 112, 144, 288, 32, 64, 64);
        String aux2 = auxiliary(g, x, "loss2", classes);
        x = inception(g, x, "inception_4e", 256, 160, 320, 32, 128, 128);
        x = g.layer("pool4_3x3_s2", maxPool(3, 2, false), x);
        x = inception(g, x, "inception_5a", 256, 160, 320, 32, 128, 128);
        x = inception(g, x, "inception_5b", 384, 192, 384, 48, 128, 128);
        x = g.layer("pool5_global", globalAvgPool(), x);
        x = g.layer("pool5_drop", dropout(0.4), x);
        String main = g.layer("loss3_classifier", softmax(classes), x);
        return Net.of("googlenet", g.build(main, aux1, aux2));
    }

    /** Four paths concatenated in the paper's order: 1x1; 1x1 -> 3x3; 1x1 -> 5x5; 3x3/1 max pool -> 1x1. */
    private static String inception(Graph g, String x, String n, int f1, int f2a, int f2b, int f3a, int f3b, int f4) {
        String p1 = g.layer(n + "_1x1", convSameRelu(f1, 1), x);
        String p2 = g.layer(n + "_3x3_reduce", convSameRelu(f2a, 1), x);
        p2 = g.layer(n + "_3x3", convSameRelu(f2b, 3), p2);
        String p3 = g.layer(n + "_5x5_reduce", convSameRelu(f3a, 1), x);
        p3 = g.layer(n + "_5x5", convSameRelu(f3b, 5), p3);
        String p4 = g.layer(n + "_pool", maxPool(3, 1, true), x);
        p4 = g.layer(n + "_pool_proj", convSameRelu(f4, 1), p4);
        return g.concat(n + "_output", p1, p2, p3, p4);
    }

    /** 5x5/3 average pool, 1x1 conv 128, flatten (implicit), dense 1024, dropout 0.7, softmax at weight 0.3. */
    private static String auxiliary(Graph g, String x, String n, int classes) {
        x = g.layer(n + "_ave_pool", avgPool(5, 3, false), x);
        x = g.layer(n + "_conv", convSameRelu(128, 1), x);
        x = g.layer(n + "_fc", dense(1024), x);
        x = g.layer(n + "_drop_fc", dropout(0.7), x);
        return g.layer(n + "_classifier", softmax(classes, AUX_LOSS_WEIGHT), x);
    }
}
