package org.convnet4j.zoo;

import static org.convnet4j.graph.ActivationFn.RELU;
import static org.convnet4j.graph.ActivationFn.SOFTMAX;
import static org.convnet4j.ops.Padding.SAME;
import static org.convnet4j.ops.Padding.VALID;

import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.AveragePooling2D;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Concatenate;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.GlobalAveragePooling2D;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.graph.layers.MaxPooling2D;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Size2;

/**
 * Inception-v3 (Szegedy et al. 2015) exactly as keras.applications.InceptionV3 defines it: every
 * convolution is conv (no bias) -> batch norm (no scale) -> relu, the stem, mixed0..mixed10, global
 * average pooling and the softmax. Default layer names (conv2d_N, batch_normalization_N) and the
 * mixedK concatenations follow Keras. With 1,000 classes: 23,851,784 parameters, 34,432 not trainable.
 */
public final class InceptionV3 {
    /** Inception-v3 on tf_flowers. */
    public static final ModelSpec SPEC = ModelSpec.builder("inception-v3", InceptionV3::build)
            .description("Inception-v3 (299x299), Keras' definition")
            .input(299, 299, 3).classes(5)
            .data(DataKind.FLOWERS).epochs(20)
            .build();

    private InceptionV3() {
    }

    /**
     * Inception-v3 as Keras builds it.
     *
     * @param size the input, height x width x channels
     * @param classes the number of classes the softmax output has
     * @param seed seeds the dropout masks
     * @return the model, not yet trained
     */
    public static Model build(InputSize size, int classes, long seed) {
        Node input = Input.image(size.height(), size.width(), size.channels());
        Node x = convBn(input, 32, 3, 3, 2, VALID);
        x = convBn(x, 32, 3, 3, 1, VALID);
        x = convBn(x, 64, 3, 3, 1, SAME);
        x = new MaxPooling2D(3).stride(2).apply(x);
        x = convBn(x, 80, 1, 1, 1, VALID);
        x = convBn(x, 192, 3, 3, 1, VALID);
        x = new MaxPooling2D(3).stride(2).apply(x);
        for (int i = 0; i < 3; i++) {
            x = blockA(x, i == 0 ? 32 : 64, "mixed" + i);
        }
        x = reductionA(x);
        x = blockC(x, 128, "mixed4");
        x = blockC(x, 160, "mixed5");
        x = blockC(x, 160, "mixed6");
        x = blockC(x, 192, "mixed7");
        x = reductionB(x);
        x = blockE(x, "mixed9", "mixed9_0", "concatenate");
        x = blockE(x, "mixed10", "mixed9_1", "concatenate_1");
        x = new GlobalAveragePooling2D().name("avg_pool").apply(x);
        return Model.of("inception-v3", input, new Dense(classes).activation(SOFTMAX).name("predictions").apply(x));
    }

    /** Keras' conv2d_bn: a rows x cols convolution without bias, batch norm without scale, relu. */
    private static Node convBn(Node x, int filters, int rows, int cols, int stride, Padding padding) {
        x = new Conv2D(filters, Size2.of(rows, cols)).stride(stride).padding(padding).useBias(false).apply(x);
        x = new BatchNormalization().scale(false).apply(x);
        return new Activation(RELU).apply(x);
    }

    private static Node averagePool(Node x) {
        return new AveragePooling2D(3).stride(1).padding(SAME).apply(x);
    }

    /** mixed0-2, 35 x 35: 1x1; 1x1 -> 5x5; 1x1 -> 3x3 -> 3x3; avg pool -> 1x1. */
    private static Node blockA(Node x, int poolProjection, String name) {
        Node b1 = convBn(x, 64, 1, 1, 1, SAME);
        Node b5 = convBn(convBn(x, 48, 1, 1, 1, SAME), 64, 5, 5, 1, SAME);
        Node b3 = convBn(convBn(convBn(x, 64, 1, 1, 1, SAME), 96, 3, 3, 1, SAME), 96, 3, 3, 1, SAME);
        Node bp = convBn(averagePool(x), poolProjection, 1, 1, 1, SAME);
        return new Concatenate().name(name).apply(b1, b5, b3, bp);
    }

    /** mixed3, 35 -> 17: 3x3/2; 1x1 -> 3x3 -> 3x3/2; max pool /2. */
    private static Node reductionA(Node x) {
        Node b3 = convBn(x, 384, 3, 3, 2, VALID);
        Node bd = convBn(convBn(convBn(x, 64, 1, 1, 1, SAME), 96, 3, 3, 1, SAME), 96, 3, 3, 2, VALID);
        Node bp = new MaxPooling2D(3).stride(2).apply(x);
        return new Concatenate().name("mixed3").apply(b3, bd, bp);
    }

    /** mixed4-7, 17 x 17, factorized 7x7 convolutions of width c. */
    private static Node blockC(Node x, int c, String name) {
        Node b1 = convBn(x, 192, 1, 1, 1, SAME);
        Node b7 = convBn(x, c, 1, 1, 1, SAME);
        b7 = convBn(b7, c, 1, 7, 1, SAME);
        b7 = convBn(b7, 192, 7, 1, 1, SAME);
        Node bd = convBn(x, c, 1, 1, 1, SAME);
        bd = convBn(bd, c, 7, 1, 1, SAME);
        bd = convBn(bd, c, 1, 7, 1, SAME);
        bd = convBn(bd, c, 7, 1, 1, SAME);
        bd = convBn(bd, 192, 1, 7, 1, SAME);
        Node bp = convBn(averagePool(x), 192, 1, 1, 1, SAME);
        return new Concatenate().name(name).apply(b1, b7, bd, bp);
    }

    /** mixed8, 17 -> 8: 1x1 -> 3x3/2; 1x1 -> 1x7 -> 7x1 -> 3x3/2; max pool /2. */
    private static Node reductionB(Node x) {
        Node b3 = convBn(convBn(x, 192, 1, 1, 1, SAME), 320, 3, 3, 2, VALID);
        Node b7 = convBn(x, 192, 1, 1, 1, SAME);
        b7 = convBn(b7, 192, 1, 7, 1, SAME);
        b7 = convBn(b7, 192, 7, 1, 1, SAME);
        b7 = convBn(b7, 192, 3, 3, 2, VALID);
        Node bp = new MaxPooling2D(3).stride(2).apply(x);
        return new Concatenate().name("mixed8").apply(b3, b7, bp);
    }

    /** mixed9-10, 8 x 8: 1x1; 1x1 -> (1x3 | 3x1); 1x1 -> 3x3 -> (1x3 | 3x1); avg pool -> 1x1. */
    private static Node blockE(Node x, String name, String splitName, String doubleSplitName) {
        Node b1 = convBn(x, 320, 1, 1, 1, SAME);
        Node b3 = convBn(x, 384, 1, 1, 1, SAME);
        b3 = new Concatenate().name(splitName).apply(convBn(b3, 384, 1, 3, 1, SAME), convBn(b3, 384, 3, 1, 1, SAME));
        Node bd = convBn(convBn(x, 448, 1, 1, 1, SAME), 384, 3, 3, 1, SAME);
        bd = new Concatenate().name(doubleSplitName).apply(convBn(bd, 384, 1, 3, 1, SAME), convBn(bd, 384, 3, 1, 1, SAME));
        Node bp = convBn(averagePool(x), 192, 1, 1, 1, SAME);
        return new Concatenate().name(name).apply(b1, b3, bd, bp);
    }
}
