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
 * AlexNet (Krizhevsky et al. 2012) as docs/ZOO.md writes it, with batch norm in place of local response
 * normalization, and AlexNet8, its CIFAR-10 variant (3x3 kernels, 2048-unit dense layers).
 */
public final class AlexNet {
    /** AlexNet on tf_flowers at 227 x 227. */
    public static final ModelSpec ALEXNET = ModelSpec.builder("alexnet", AlexNet::alexnet)
            .description("AlexNet (227x227), batch norm after conv1 and conv2")
            .input(227, 227, 3).classes(5)
            .data(DataKind.FLOWERS).epochs(20)
            .build();
    /** AlexNet8 on CIFAR-10. */
    public static final ModelSpec ALEXNET8 = ModelSpec.builder("alexnet8", AlexNet::alexnet8)
            .description("AlexNet8: AlexNet for CIFAR-10 (32x32)")
            .input(32, 32, 3).classes(10)
            .data(DataKind.CIFAR10).epochs(50)
            .build();

    private AlexNet() {
    }

    /**
     * AlexNet: five convolutions, batch norm after the first two, three dense layers.
     *
     * @param size the input, height x width x channels
     * @param classes the number of classes the softmax output has
     * @param seed seeds the dropout masks
     * @return the model, not yet trained
     */
    public static Model alexnet(InputSize size, int classes, long seed) {
        Node input = Input.image(size.height(), size.width(), size.channels());
        Node x = new Conv2D(96, 11).stride(4).activation(RELU).name("conv1").apply(input);
        x = new MaxPooling2D(3).stride(2).name("pool1").apply(x);
        x = new BatchNormalization().name("norm1").apply(x);
        x = new Conv2D(256, 5).padding(SAME).activation(RELU).name("conv2").apply(x);
        x = new MaxPooling2D(3).stride(2).name("pool2").apply(x);
        x = new BatchNormalization().name("norm2").apply(x);
        x = new Conv2D(384, 3).padding(SAME).activation(RELU).name("conv3").apply(x);
        x = new Conv2D(384, 3).padding(SAME).activation(RELU).name("conv4").apply(x);
        x = new Conv2D(256, 3).padding(SAME).activation(RELU).name("conv5").apply(x);
        x = new MaxPooling2D(3).stride(2).name("pool5").apply(x);
        return Model.of("alexnet", input, classifier(x, 4096, classes, seed));
    }

    /**
     * AlexNet8: AlexNet's layers with 3x3 kernels and 2048-unit dense layers, for 32 x 32 images.
     *
     * @param size the input, height x width x channels
     * @param classes the number of classes the softmax output has
     * @param seed seeds the dropout masks
     * @return the model, not yet trained
     */
    public static Model alexnet8(InputSize size, int classes, long seed) {
        Node input = Input.image(size.height(), size.width(), size.channels());
        Node x = new Conv2D(96, 3).padding(SAME).activation(RELU).name("conv1").apply(input);
        x = new BatchNormalization().name("norm1").apply(x);
        x = new MaxPooling2D(3).stride(2).name("pool1").apply(x);
        x = new Conv2D(256, 3).padding(SAME).activation(RELU).name("conv2").apply(x);
        x = new BatchNormalization().name("norm2").apply(x);
        x = new MaxPooling2D(3).stride(2).name("pool2").apply(x);
        x = new Conv2D(384, 3).padding(SAME).activation(RELU).name("conv3").apply(x);
        x = new Conv2D(384, 3).padding(SAME).activation(RELU).name("conv4").apply(x);
        x = new Conv2D(256, 3).padding(SAME).activation(RELU).name("conv5").apply(x);
        x = new MaxPooling2D(3).stride(2).name("pool5").apply(x);
        return Model.of("alexnet8", input, classifier(x, 2048, classes, seed));
    }

    /** Flatten, two dense layers with dropout 0.5, and the softmax: fc6, fc7, predictions. */
    private static Node classifier(Node x, int units, int classes, long seed) {
        x = new Flatten().name("flatten").apply(x);
        x = new Dense(units).activation(RELU).name("fc6").apply(x);
        x = new Dropout(0.5).seed(seed).name("drop6").apply(x);
        x = new Dense(units).activation(RELU).name("fc7").apply(x);
        x = new Dropout(0.5).seed(seed).name("drop7").apply(x);
        return new Dense(classes).activation(SOFTMAX).name("predictions").apply(x);
    }
}
