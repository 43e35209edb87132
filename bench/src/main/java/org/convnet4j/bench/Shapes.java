package org.convnet4j.bench;

import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.Conv2d;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.PoolMode;
import org.convnet4j.ops.Size2;
import org.convnet4j.tensor.Shape;

/**
 * Representative layer shapes from the zoo at training batch 32, named after the layer they come from.
 * The same names appear in docs/BENCHMARKS.md.
 */
final class Shapes {
    private Shapes() {
    }

    /** AlexNet8's second convolution: 96 -> 256 channels, 3x3 same, on the 15x15 map after the first pool. */
    static final String ALEXNET8_CONV2 = "alexnet8_conv2";
    /** ResNet-50's conv2_block1_2_conv: 64 -> 64 channels, 3x3 same, 56x56. */
    static final String RESNET50_CONV2_3X3 = "resnet50_conv2_3x3";
    /** ResNet-50's conv4_block1_3_conv: a 1x1 expansion 256 -> 1024 channels at 14x14. */
    static final String RESNET50_CONV4_1X1 = "resnet50_conv4_1x1";

    static Conv2d conv(String name) {
        return switch (name) {
            case ALEXNET8_CONV2 -> new Conv2d(Shape.of(32, 96, 15, 15), 256, Size2.of(3), Size2.of(1), Padding.SAME, true);
            case RESNET50_CONV2_3X3 -> new Conv2d(Shape.of(32, 64, 56, 56), 64, Size2.of(3), Size2.of(1), Padding.SAME, true);
            case RESNET50_CONV4_1X1 -> new Conv2d(Shape.of(32, 256, 14, 14), 1024, Size2.of(1), Size2.of(1), Padding.VALID, true);
            default -> throw new IllegalArgumentException("Unknown conv shape " + name);
        };
    }

    /** AlexNet8's first batch norm (96 channels, 32x32) and ResNet-50's conv2 batch norm (256 channels, 56x56). */
    static BatchNorm batchNorm(String name) {
        return switch (name) {
            case "alexnet8_bn1" -> BatchNorm.of(Shape.of(32, 96, 32, 32));
            case "resnet50_conv2_bn" -> BatchNorm.of(Shape.of(32, 256, 56, 56));
            default -> throw new IllegalArgumentException("Unknown batch-norm shape " + name);
        };
    }

    /** AlexNet8's 3x3 stride-2 max pool, ResNet-50's stem pool, and Inception's 3x3 stride-1 same max pool. */
    static Pool2d pool(String name) {
        return switch (name) {
            case "alexnet8_pool1" -> new Pool2d(Shape.of(32, 96, 32, 32), PoolMode.MAX, Size2.of(3), Size2.of(2), Padding.VALID);
            case "resnet50_stem_pool" -> new Pool2d(Shape.of(32, 64, 114, 114), PoolMode.MAX, Size2.of(3), Size2.of(2), Padding.VALID);
            case "inception_3a_pool" -> new Pool2d(Shape.of(32, 192, 28, 28), PoolMode.MAX, Size2.of(3), Size2.of(1), Padding.SAME);
            case "lenet5_avg_pool" -> new Pool2d(Shape.of(32, 6, 28, 28), PoolMode.AVERAGE, Size2.of(2), Size2.of(2), Padding.VALID);
            default -> throw new IllegalArgumentException("Unknown pool shape " + name);
        };
    }
}
