package org.convnet4j.bench.dl4j;

import static org.convnet4j.bench.dl4j.Layers.avgPool;
import static org.convnet4j.bench.dl4j.Layers.bn;
import static org.convnet4j.bench.dl4j.Layers.convNoBias;
import static org.convnet4j.bench.dl4j.Layers.globalAvgPool;
import static org.convnet4j.bench.dl4j.Layers.maxPool;
import static org.convnet4j.bench.dl4j.Layers.relu;
import static org.convnet4j.bench.dl4j.Layers.softmax;

/**
 * Inception-v3 as keras.applications.InceptionV3 defines it: every convolution is conv (no bias)
 * -> batch norm -> relu; the stem, mixed0..mixed10, global average pooling, softmax. Mirrors
 * org.convnet4j.zoo.InceptionV3 with one difference DL4J imposes: Keras' BatchNormalization(scale=False)
 * has no gamma, and DL4J's batch norm cannot drop gamma alone (lockGammaBeta fixes beta too), so each
 * batch norm here also learns a gamma (initialised to 1): one more parameter per channel, 17,216 in all.
 */
final class InceptionV3 {
    private InceptionV3() {
    }

    static Net build(int h, int w, int c, int classes, long seed) {
        Graph g = new Graph(seed, h, w, c);
        String x = convBn(g, Graph.INPUT, 32, 3, 3, 2, false);
        x = convBn(g, x, 32, 3, 3, 1, false);
        x = convBn(g, x, 64, 3, 3, 1, true);
        x = g.layer(maxPool(3, 2, false), x);
        x = convBn(g, x, 80, 1, 1, 1, false);
        x = convBn(g, x, 192, 3, 3, 1, false);
        x = g.layer(maxPool(3, 2, false), x);
        for (int i = 0; i < 3; i++) {
            x = blockA(g, x, i == 0 ? 32 : 64, "mixed" + i);
        }
        x = reductionA(g, x);
        x = blockC(g, x, 128, "mixed4");
        x = blockC(g, x, 160, "mixed5");
        x = blockC(g, x, 160, "mixed6");
        x = blockC(g, x, 192, "mixed7");
        x = reductionB(g, x);
        x = blockE(g, x, "mixed9", "mixed9_0", "concatenate");
        x = blockE(g, x, "mixed10", "mixed9_1", "concatenate_1");
        x = g.layer("avg_pool", globalAvgPool(), x);
        String out = g.layer("predictions", softmax(classes), x);
        return Net.of("inception-v3", g.build(out));
    }

    /** Keras' conv2d_bn: rows x cols convolution without bias, batch norm, relu. */
    private static String convBn(Graph g, String x, int filters, int rows, int cols, int stride, boolean same) {
        x = g.layer(convNoBias(filters, rows, cols, stride, same), x);
        x = g.layer(bn(), x);
        return g.layer(relu(), x);
    }

    private static String averagePool(Graph g, String x) {
        return g.layer(avgPool(3, 1, true), x);
    }

    /** mixed0-2, 35 x 35: 1x1; 1x1 -> 5x5; 1x1 -> 3x3 -> 3x3; avg pool -> 1x1. */
    private static String blockA(Graph g, String x, int poolProjection, String name) {
        String b1 = convBn(g, x, 64, 1, 1, 1, true);
        String b5 = convBn(g, convBn(g, x, 48, 1, 1, 1, true), 64, 5, 5, 1, true);
        String b3 = convBn(g, convBn(g, convBn(g, x, 64, 1, 1, 1, true), 96, 3, 3, 1, true), 96, 3, 3, 1, true);
        String bp = convBn(g, averagePool(g, x), poolProjection, 1, 1, 1, true);
        return g.concat(name, b1, b5, b3, bp);
    }

    /** mixed3, 35 -> 17: 3x3/2; 1x1 -> 3x3 -> 3x3/2; max pool /2. */
    private static String reductionA(Graph g, String x) {
        String b3 = convBn(g, x, 384, 3, 3, 2, false);
        String bd = convBn(g, convBn(g, convBn(g, x, 64, 1, 1, 1, true), 96, 3, 3, 1, true), 96, 3, 3, 2, false);
        String bp = g.layer(maxPool(3, 2, false), x);
        return g.concat("mixed3", b3, bd, bp);
    }

    /** mixed4-7, 17 x 17, factorized 7x7 convolutions of width c. */
    private static String blockC(Graph g, String x, int c, String name) {
        String b1 = convBn(g, x, 192, 1, 1, 1, true);
        String b7 = convBn(g, x, c, 1, 1, 1, true);
        b7 = convBn(g, b7, c, 1, 7, 1, true);
        b7 = convBn(g, b7, 192, 7, 1, 1, true);
        String bd = convBn(g, x, c, 1, 1, 1, true);
        bd = convBn(g, bd, c, 7, 1, 1, true);
        bd = convBn(g, bd, c, 1, 7, 1, true);
        bd = convBn(g, bd, c, 7, 1, 1, true);
        bd = convBn(g, bd, 192, 1, 7, 1, true);
        String bp = convBn(g, averagePool(g, x), 192, 1, 1, 1, true);
        return g.concat(name, b1, b7, bd, bp);
    }

    /** mixed8, 17 -> 8: 1x1 -> 3x3/2; 1x1 -> 1x7 -> 7x1 -> 3x3/2; max pool /2. */
    private static String reductionB(Graph g, String x) {
        String b3 = convBn(g, convBn(g, x, 192, 1, 1, 1, true), 320, 3, 3, 2, false);
        String b7 = convBn(g, x, 192, 1, 1, 1, true);
        b7 = convBn(g, b7, 192, 1, 7, 1, true);
        b7 = convBn(g, b7, 192, 7, 1, 1, true);
        b7 = convBn(g, b7, 192, 3, 3, 2, false);
        String bp = g.layer(maxPool(3, 2, false), x);
        return g.concat("mixed8", b3, b7, bp);
    }

    /** mixed9-10, 8 x 8: 1x1; 1x1 -> (1x3 | 3x1); 1x1 -> 3x3 -> (1x3 | 3x1); avg pool -> 1x1. */
    private static String blockE(Graph g, String x, String name, String splitName, String doubleSplitName) {
        String b1 = convBn(g, x, 320, 1, 1, 1, true);
        String b3 = convBn(g, x, 384, 1, 1, 1, true);
        b3 = g.concat(splitName, convBn(g, b3, 384, 1, 3, 1, true), convBn(g, b3, 384, 3, 1, 1, true));
        String bd = convBn(g, convBn(g, x, 448, 1, 1, 1, true), 384, 3, 3, 1, true);
        bd = g.concat(doubleSplitName, convBn(g, bd, 384, 1, 3, 1, true), convBn(g, bd, 384, 3, 1, 1, true));
        String bp = convBn(g, averagePool(g, x), 192, 1, 1, 1, true);
        return g.concat(name, b1, b3, bd, bp);
    }
}
