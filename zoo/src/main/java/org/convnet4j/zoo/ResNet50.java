package org.convnet4j.zoo;

import static org.convnet4j.graph.ActivationFn.RELU;
import static org.convnet4j.graph.ActivationFn.SOFTMAX;
import static org.convnet4j.ops.Padding.SAME;

import java.util.List;

import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.Add;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.GlobalAveragePooling2D;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.graph.layers.MaxPooling2D;
import org.convnet4j.graph.layers.ZeroPadding2D;
import org.convnet4j.ops.BatchNorm;

/**
 * ResNet-50 (He et al. 2015) in docs/ZOO.md's form, which is keras.applications.ResNet50's: convolutions
 * with bias, the stride on each stage's first 1x1 convolution, a projection shortcut in the first
 * block of every stage. Layer names are Keras' (conv2_block1_1_conv, conv2_block1_0_bn, ...).
 */
public final class ResNet50 {
    /**
     * One row of the paper's table, as Keras' {@code stack1(x, filters, blocks, stride1, name)} takes it:
     * the bottleneck width, how many blocks, the first block's stride. A block outputs 4 x filters.
     */
    private record Stage(String name, int filters, int blocks, int stride) {
        int outputs() {
            return 4 * filters;
        }
    }

    private static final List<Stage> STAGES = List.of(
            new Stage("conv2", 64, 3, 1),
            new Stage("conv3", 128, 4, 2),
            new Stage("conv4", 256, 6, 2),
            new Stage("conv5", 512, 3, 2));

    /** ResNet-50 on tf_flowers. */
    public static final ModelSpec SPEC = ModelSpec.builder("resnet50", ResNet50::build)
            .description("ResNet-50 (224x224), Keras' form")
            .input(224, 224, 3).classes(5)
            .data(DataKind.FLOWERS).epochs(40)
            .keras(ResNet50::buildKeras)
            .build();

    /** keras.applications.ResNet50's batch-norm epsilon ({@code epsilon=1.001e-5} on every BatchNormalization). */
    public static final float KERAS_EPSILON = 1.001e-5f;

    private ResNet50() {
    }

    /**
     * ResNet-50: a stem, four stages of bottleneck blocks, global average pooling.
     *
     * @param size the input, height x width x channels
     * @param classes the number of classes the softmax output has
     * @param seed seeds the dropout masks
     * @return the model, not yet trained
     */
    public static Model build(InputSize size, int classes, long seed) {
        return build(size, classes, BatchNorm.KERAS_EPSILON);
    }

    /**
     * As keras.applications.ResNet50 builds it: every batch norm with epsilon {@link #KERAS_EPSILON}, for
     * its weight files.
     *
     * @param size    the input size
     * @param classes the number of classes
     * @param seed    unused (the model draws nothing), as in {@link #build(InputSize, int, long)}
     * @return the model, not yet trained
     */
    public static Model buildKeras(InputSize size, int classes, long seed) {
        return build(size, classes, KERAS_EPSILON);
    }

    private static Model build(InputSize size, int classes, float epsilon) {
        Node input = Input.image(size.height(), size.width(), size.channels());
        Node x = new ZeroPadding2D(3).name("conv1_pad").apply(input);
        x = new Conv2D(64, 7).stride(2).name("conv1_conv").apply(x);
        x = new BatchNormalization().epsilon(epsilon).name("conv1_bn").apply(x);
        x = new Activation(RELU).name("conv1_relu").apply(x);
        x = new ZeroPadding2D(1).name("pool1_pad").apply(x);
        x = new MaxPooling2D(3).stride(2).name("pool1_pool").apply(x);
        for (Stage stage : STAGES) {
            x = stack(x, stage, epsilon);
        }
        x = new GlobalAveragePooling2D().name("avg_pool").apply(x);
        return Model.of("resnet50", input, new Dense(classes).activation(SOFTMAX).name("predictions").apply(x));
    }

    /** A stage: its first block strides and projects the shortcut, the others keep the shape. */
    private static Node stack(Node x, Stage s, float epsilon) {
        for (int b = 1; b <= s.blocks(); b++) {
            x = bottleneck(x, s.name() + "_block" + b, s.filters(), s.outputs(), b == 1 ? s.stride() : 1, b == 1, epsilon);
        }
        return x;
    }

    /** 1x1 (stride) -> 3x3 -> 1x1 with batch norms, plus the input or a projected shortcut, then relu. */
    private static Node bottleneck(Node x, String n, int width, int out, int stride, boolean project, float epsilon) {
        Node shortcut = x;
        if (project) {
            shortcut = new Conv2D(out, 1).stride(stride).name(n + "_0_conv").apply(x);
            shortcut = new BatchNormalization().epsilon(epsilon).name(n + "_0_bn").apply(shortcut);
        }
        Node y = new Conv2D(width, 1).stride(stride).name(n + "_1_conv").apply(x);
        y = new BatchNormalization().epsilon(epsilon).name(n + "_1_bn").apply(y);
        y = new Activation(RELU).name(n + "_1_relu").apply(y);
        y = new Conv2D(width, 3).padding(SAME).name(n + "_2_conv").apply(y);
        y = new BatchNormalization().epsilon(epsilon).name(n + "_2_bn").apply(y);
        y = new Activation(RELU).name(n + "_2_relu").apply(y);
        y = new Conv2D(out, 1).name(n + "_3_conv").apply(y);
        y = new BatchNormalization().epsilon(epsilon).name(n + "_3_bn").apply(y);
        y = new Add().name(n + "_add").apply(shortcut, y);
        return new Activation(RELU).name(n + "_out").apply(y);
    }
}
