package org.convnet4j.zoo;

import static org.convnet4j.graph.ActivationFn.RELU;
import static org.convnet4j.graph.ActivationFn.SOFTMAX;
import static org.convnet4j.ops.Padding.SAME;

import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.AveragePooling2D;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.graph.layers.Input;

/**
 * LeNet-5 as docs/ZOO.md defines it (LeCun et al. 1998, with relu and 28 x 28 inputs):
 * C1 conv 6@5x5 same, S2 avg-pool 2, C3 conv 16@5x5 same, S4 avg-pool 2, F5 120, F6 84, output.
 */
public final class LeNet5 {
    /** LeNet-5 on Fashion-MNIST. */
    public static final ModelSpec SPEC = ModelSpec.builder("lenet5", LeNet5::build)
            .description("LeNet-5 (relu, 28x28) for Fashion-MNIST")
            .input(28, 28, 1).classes(10)
            .data(DataKind.FASHION_MNIST).epochs(20)
            .build();

    private LeNet5() {
    }

    /**
     * LeNet-5: two convolutions with average pooling, then three dense layers.
     *
     * @param size the input, height x width x channels
     * @param classes the number of classes the softmax output has
     * @param seed seeds the dropout masks
     * @return the model, not yet trained
     */
    public static Model build(InputSize size, int classes, long seed) {
        Node input = Input.image(size.height(), size.width(), size.channels());
        Node x = new Conv2D(6, 5).padding(SAME).activation(RELU).apply(input);
        x = new AveragePooling2D(2).apply(x);
        x = new Conv2D(16, 5).padding(SAME).activation(RELU).apply(x);
        x = new AveragePooling2D(2).apply(x);
        x = new Flatten().apply(x);
        x = new Dense(120).activation(RELU).apply(x);
        x = new Dense(84).activation(RELU).apply(x);
        Node out = new Dense(classes).activation(SOFTMAX).apply(x);
        return Model.of("lenet5", input, out);
    }
}
