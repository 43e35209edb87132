package org.convnet4j.zoo;

import static org.convnet4j.graph.ActivationFn.RELU;
import static org.convnet4j.graph.ActivationFn.SOFTMAX;
import static org.convnet4j.ops.Padding.SAME;

import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Dropout;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.graph.layers.MaxPooling2D;

/**
 * VGG-16 (Simonyan and Zisserman 2014, configuration D) and the CIFAR-10 variant of docs/ZOO.md. Layer
 * names follow Keras' keras.applications.VGG16: block1_conv1 ... block5_pool, fc1, fc2, predictions.
 */
public final class Vgg16 {
    /** Configuration D: filters of each block's 3x3 convolutions. */
    private static final int[][] BLOCKS = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};

    /** VGG-16 on tf_flowers at 224 x 224. */
    public static final ModelSpec VGG16 = ModelSpec.builder("vgg16", Vgg16::vgg16)
            .description("VGG-16, configuration D (224x224)")
            .input(224, 224, 3).classes(5)
            .data(DataKind.FLOWERS).epochs(20)
            .build();
    /** The CIFAR-10 VGG of docs/ZOO.md. */
    public static final ModelSpec VGG16_CIFAR = ModelSpec.builder("vgg16-cifar", Vgg16::vgg16Cifar)
            .description("VGG-16 for CIFAR-10: three blocks, batch norm, dropout")
            .input(32, 32, 3).classes(10)
            .data(DataKind.CIFAR10).epochs(20)
            .build();

    private Vgg16() {
    }

    /**
     * VGG-16, configuration D: five blocks of 3x3 convolutions, three dense layers.
     *
     * @param size the input, height x width x channels
     * @param classes the number of classes the softmax output has
     * @param seed seeds the dropout masks
     * @return the model, not yet trained
     */
    public static Model vgg16(InputSize size, int classes, long seed) {
        Node x = Input.image(size.height(), size.width(), size.channels());
        Node input = x;
        for (int b = 0; b < BLOCKS.length; b++) {
            x = convs(x, b + 1, BLOCKS[b]);
            x = new MaxPooling2D(2).name("block" + (b + 1) + "_pool").apply(x);
        }
        x = new Flatten().name("flatten").apply(x);
        x = new Dense(4096).activation(RELU).name("fc1").apply(x);
        x = new Dense(4096).activation(RELU).name("fc2").apply(x);
        return Model.of("vgg16", input, new Dense(classes).activation(SOFTMAX).name("predictions").apply(x));
    }

    /**
     * docs/ZOO.md's CIFAR-10 VGG: blocks of 64, 128 and 256 filters; the third block pools before its batch norm.
     *
     * @param size the input, height x width x channels
     * @param classes the number of classes the softmax output has
     * @param seed seeds the dropout masks
     * @return the model, not yet trained
     */
    public static Model vgg16Cifar(InputSize size, int classes, long seed) {
        Node input = Input.image(size.height(), size.width(), size.channels());
        Node x = convs(input, 1, new int[] {64, 64});
        x = new BatchNormalization().name("block1_bn").apply(x);
        x = new MaxPooling2D(2).name("block1_pool").apply(x);
        x = new Dropout(0.4).seed(seed).name("block1_drop").apply(x);
        x = convs(x, 2, new int[] {128, 128});
        x = new BatchNormalization().name("block2_bn").apply(x);
        x = new MaxPooling2D(2).name("block2_pool").apply(x);
        x = new Dropout(0.4).seed(seed).name("block2_drop").apply(x);
        x = convs(x, 3, new int[] {256, 256});
        x = new MaxPooling2D(2).name("block3_pool").apply(x);
        x = new BatchNormalization().name("block3_bn").apply(x);
        x = new Dropout(0.5).seed(seed).name("block3_drop").apply(x);
        x = new Flatten().name("flatten").apply(x);
        x = new Dense(256).activation(RELU).name("fc1").apply(x);
        x = new Dropout(0.5).seed(seed).name("fc1_drop").apply(x);
        x = new Dense(256).activation(RELU).name("fc2").apply(x);
        x = new Dropout(0.5).seed(seed).name("fc2_drop").apply(x);
        return Model.of("vgg16-cifar", input, new Dense(classes).activation(SOFTMAX).name("predictions").apply(x));
    }

    /** The 3x3 same relu convolutions of block b: blockB_conv1, blockB_conv2, ... */
    private static Node convs(Node x, int block, int[] filters) {
        for (int i = 0; i < filters.length; i++) {
            x = new Conv2D(filters[i], 3).padding(SAME).activation(RELU).name("block" + block + "_conv" + (i + 1)).apply(x);
        }
        return x;
    }
}
