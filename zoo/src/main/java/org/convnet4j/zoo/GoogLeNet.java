package org.convnet4j.zoo;

import static org.convnet4j.graph.ActivationFn.RELU;
import static org.convnet4j.graph.ActivationFn.SOFTMAX;
import static org.convnet4j.ops.Padding.SAME;

import java.util.List;

import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.AveragePooling2D;
import org.convnet4j.graph.layers.Concatenate;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Dropout;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.graph.layers.GlobalAveragePooling2D;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.graph.layers.MaxPooling2D;

/**
 * GoogLeNet, Inception v1 (Szegedy et al. 2014), as docs/ZOO.md gives it: the stem, nine inception
 * modules named as in the paper's table (inception_3a ... inception_5b), and two auxiliary heads
 * after 4a and 4d. Training weighs the losses 1, 0.3, 0.3; inference uses the main output.
 */
public final class GoogLeNet {
    /** GoogLeNet on tf_flowers. */
    public static final ModelSpec SPEC = ModelSpec.builder("googlenet", GoogLeNet::build)
            .description("GoogLeNet / Inception v1 (224x224), two auxiliary heads")
            .input(224, 224, 3).classes(5)
            .data(DataKind.FLOWERS).epochs(20)
            .build();

    /** One row of the paper's table: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj. */
    private record Module(String name, int f1, int f2a, int f2b, int f3a, int f3b, int f4) {
    }

    private GoogLeNet() {
    }

    /**
     * GoogLeNet (Inception v1) with its two auxiliary heads, the paper's table row by row.
     *
     * @param size the input, height x width x channels
     * @param classes the number of classes the softmax output has
     * @param seed seeds the dropout masks
     * @return the model, not yet trained
     */
    public static Model build(InputSize size, int classes, long seed) {
        Node input = Input.image(size.height(), size.width(), size.channels());
        Node x = new Conv2D(64, 7).stride(2).activation(RELU).name("conv1_7x7_s2").apply(input);
        x = new MaxPooling2D(3).stride(2).name("pool1_3x3_s2").apply(x);
        x = new Conv2D(64, 1).activation(RELU).name("conv2_3x3_reduce").apply(x);
        x = new Conv2D(192, 3).padding(SAME).activation(RELU).name("conv2_3x3").apply(x);
        x = new MaxPooling2D(3).stride(2).name("pool2_3x3_s2").apply(x);
        x = inception(x, new Module("inception_3a", 64, 96, 128, 16, 32, 32));
        x = inception(x, new Module("inception_3b", 128, 128, 192, 32, 96, 64));
        x = new MaxPooling2D(3).stride(2).name("pool3_3x3_s2").apply(x);
        x = inception(x, new Module("inception_4a", 192, 96, 208, 16, 48, 64));
        Node aux1 = auxiliary(x, "loss1", classes, seed);
        x = inception(x, new Module("inception_4b", 160, 112, 224, 24, 64, 64));
        x = inception(x, new Module("inception_4c", 128, 128, 256, 24, 64, 64));
        x = inception(x, new Module("inception_4d", 112, 144, 288, 32, 64, 64));
        Node aux2 = auxiliary(x, "loss2", classes, seed);
        x = inception(x, new Module("inception_4e", 256, 160, 320, 32, 128, 128));
        x = new MaxPooling2D(3).stride(2).name("pool4_3x3_s2").apply(x);
        x = inception(x, new Module("inception_5a", 256, 160, 320, 32, 128, 128));
        x = inception(x, new Module("inception_5b", 384, 192, 384, 48, 128, 128));
        x = new GlobalAveragePooling2D().name("pool5_global").apply(x);
        x = new Dropout(0.4).seed(seed).name("pool5_drop").apply(x);
        Node main = new Dense(classes).activation(SOFTMAX).name("loss3_classifier").apply(x);
        return Model.of("googlenet", input, List.of(main, aux1, aux2), 1.0, 0.3, 0.3);
    }

    /** Four parallel paths over the same input, concatenated along channels in the paper's order. */
    private static Node inception(Node x, Module m) {
        String n = m.name();
        Node p1 = new Conv2D(m.f1(), 1).padding(SAME).activation(RELU).name(n + "_1x1").apply(x);
        Node p2 = new Conv2D(m.f2a(), 1).padding(SAME).activation(RELU).name(n + "_3x3_reduce").apply(x);
        p2 = new Conv2D(m.f2b(), 3).padding(SAME).activation(RELU).name(n + "_3x3").apply(p2);
        Node p3 = new Conv2D(m.f3a(), 1).padding(SAME).activation(RELU).name(n + "_5x5_reduce").apply(x);
        p3 = new Conv2D(m.f3b(), 5).padding(SAME).activation(RELU).name(n + "_5x5").apply(p3);
        Node p4 = new MaxPooling2D(3).stride(1).padding(SAME).name(n + "_pool").apply(x);
        p4 = new Conv2D(m.f4(), 1).padding(SAME).activation(RELU).name(n + "_pool_proj").apply(p4);
        return new Concatenate().name(n + "_output").apply(p1, p2, p3, p4);
    }

    /** An auxiliary classifier: 5x5/3 average pool, 1x1 conv 128, dense 1024, dropout 0.7, softmax. */
    private static Node auxiliary(Node x, String n, int classes, long seed) {
        x = new AveragePooling2D(5).stride(3).name(n + "_ave_pool").apply(x);
        x = new Conv2D(128, 1).padding(SAME).activation(RELU).name(n + "_conv").apply(x);
        x = new Flatten().name(n + "_flatten").apply(x);
        x = new Dense(1024).activation(RELU).name(n + "_fc").apply(x);
        x = new Dropout(0.7).seed(seed).name(n + "_drop_fc").apply(x);
        return new Dense(classes).activation(SOFTMAX).name(n + "_classifier").apply(x);
    }
}
