package org.convnet4j.bench.dl4j;

import static org.convnet4j.bench.dl4j.Layers.bn;
import static org.convnet4j.bench.dl4j.Layers.conv;
import static org.convnet4j.bench.dl4j.Layers.globalAvgPool;
import static org.convnet4j.bench.dl4j.Layers.maxPool;
import static org.convnet4j.bench.dl4j.Layers.relu;
import static org.convnet4j.bench.dl4j.Layers.softmax;

import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;

/**
 * ResNet-50 in keras.applications' form (docs/ZOO.md): convolutions with bias, the stride on each
 * stage's first 1x1 convolution, a projection shortcut in each stage's first block, Keras' layer
 * names. Mirrors org.convnet4j.zoo.ResNet50.
 */
final class ResNet50 {
    /** Bottleneck width, output channels, blocks, first stride. */
    private static final int[][] STAGES = {{64, 256, 3, 1}, {128, 512, 4, 2}, {256, 1024, 6, 2}, {512, 2048, 3, 2}};

    private ResNet50() {
    }

    static Net build(int h, int w, int c, int classes, long seed) {
        Graph g = new Graph(seed, h, w, c);
        String x = g.layer("conv1_pad", new ZeroPaddingLayer.Builder(3, 3).build(), Graph.INPUT);
        x = g.layer("conv1_conv", conv(64, 7, 7, 2, false, false), x);
        x = g.layer("conv1_bn", bn(), x);
        x = g.layer("conv1_relu", relu(), x);
        x = g.layer("pool1_pad", new ZeroPaddingLayer.Builder(1, 1).build(), x);
        x = g.layer("pool1_pool", maxPool(3, 2, false), x);
        for (int s = 0; s < STAGES.length; s++) {
            int[] st = STAGES[s];
            for (int b = 1; b <= st[2]; b++) {
                x = bottleneck(g, x, "conv" + (s + 2) + "_block" + b, st[0], st[1], b == 1 ? st[3] : 1, b == 1);
            }
        }
        x = g.layer("avg_pool", globalAvgPool(), x);
        String out = g.layer("predictions", softmax(classes), x);
        return Net.of("resnet50", g.build(out));
    }

    /** 1x1 (stride) -> 3x3 -> 1x1 with batch norms, plus the input or a projected shortcut, then relu. */
    private static String bottleneck(Graph g, String x, String n, int width, int out, int stride, boolean project) {
        String shortcut = x;
        if (project) {
            shortcut = g.layer(n + "_0_conv", conv(out, 1, 1, stride, false, false), x);
            shortcut = g.layer(n + "_0_bn", bn(), shortcut);
        }
        String y = g.layer(n + "_1_conv", conv(width, 1, 1, stride, false, false), x);
        y = g.layer(n + "_1_bn", bn(), y);
        y = g.layer(n + "_1_relu", relu(), y);
        y = g.layer(n + "_2_conv", conv(width, 3, 3, 1, true, false), y);
        y = g.layer(n + "_2_bn", bn(), y);
        y = g.layer(n + "_2_relu", relu(), y);
        y = g.layer(n + "_3_conv", conv(out, 1, 1, 1, false, false), y);
        y = g.layer(n + "_3_bn", bn(), y);
        y = g.add(n + "_add", shortcut, y);
        return g.layer(n + "_out", relu(), y);
    }
}
