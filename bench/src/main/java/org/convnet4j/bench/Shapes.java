package org.convnet4j.bench;

import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.Conv2dOp;
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

    /** LeNet-5's second convolution: 6 -> 16 channels, 5x5 same, 14x14. */
    static final String LENET5_CONV2 = "lenet5_conv2";
    /** AlexNet's first convolution: 3 -> 96 channels, 11x11 stride 4 valid, on the 227x227 image. */
    static final String ALEXNET_CONV1 = "alexnet_conv1";
    /** AlexNet8's second convolution: 96 -> 256 channels, 3x3 same, on the 15x15 map after the first pool. */
    static final String ALEXNET8_CONV2 = "alexnet8_conv2";
    /** VGG-16's block3_conv2: 256 -> 256 channels, 3x3 same, 56x56 (every block does about the same work). */
    static final String VGG16_BLOCK3_CONV2 = "vgg16_block3_conv2";
    /** VGG-16-CIFAR's block2_conv2: 128 -> 128 channels, 3x3 same, 16x16. */
    static final String VGG16_CIFAR_BLOCK2_CONV2 = "vgg16cifar_block2_conv2";
    /** GoogLeNet's inception_3a_3x3: 96 -> 128 channels, 3x3 same, 28x28. */
    static final String GOOGLENET_3A_3X3 = "googlenet_3a_3x3";
    /** ResNet-50's conv2_block1_2_conv: 64 -> 64 channels, 3x3 same, 56x56. */
    static final String RESNET50_CONV2_3X3 = "resnet50_conv2_3x3";
    /** ResNet-50's conv4_block1_3_conv: a 1x1 expansion 256 -> 1024 channels at 14x14. */
    static final String RESNET50_CONV4_1X1 = "resnet50_conv4_1x1";
    /** Inception-v3's factorized 1x7 in mixed4: 128 -> 128 channels, 17x17 same, no bias (batch norm follows). */
    static final String INCEPTION_V3_MIXED4_1X7 = "inceptionv3_mixed4_1x7";

    static Conv2dOp conv(String name) {
        return switch (name) {
            case LENET5_CONV2 -> new Conv2dOp(Shape.of(32, 6, 14, 14), 16, Size2.of(5), Size2.of(1), Padding.SAME, true);
            case ALEXNET_CONV1 -> new Conv2dOp(Shape.of(32, 3, 227, 227), 96, Size2.of(11), Size2.of(4), Padding.VALID, true);
            case ALEXNET8_CONV2 -> new Conv2dOp(Shape.of(32, 96, 15, 15), 256, Size2.of(3), Size2.of(1), Padding.SAME, true);
            case VGG16_BLOCK3_CONV2 -> new Conv2dOp(Shape.of(32, 256, 56, 56), 256, Size2.of(3), Size2.of(1), Padding.SAME, true);
            case VGG16_CIFAR_BLOCK2_CONV2 -> new Conv2dOp(Shape.of(32, 128, 16, 16), 128, Size2.of(3), Size2.of(1), Padding.SAME, true);
            case GOOGLENET_3A_3X3 -> new Conv2dOp(Shape.of(32, 96, 28, 28), 128, Size2.of(3), Size2.of(1), Padding.SAME, true);
            case RESNET50_CONV2_3X3 -> new Conv2dOp(Shape.of(32, 64, 56, 56), 64, Size2.of(3), Size2.of(1), Padding.SAME, true);
            case RESNET50_CONV4_1X1 -> new Conv2dOp(Shape.of(32, 256, 14, 14), 1024, Size2.of(1), Size2.of(1), Padding.VALID, true);
            case INCEPTION_V3_MIXED4_1X7 -> new Conv2dOp(Shape.of(32, 128, 17, 17), 128, Size2.of(1, 7), Size2.of(1), Padding.SAME, false);
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
