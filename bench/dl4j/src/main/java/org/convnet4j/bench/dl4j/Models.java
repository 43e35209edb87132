package org.convnet4j.bench.dl4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry: the benchmark's model names, as convnet4j's Zoo spells them, mapped to their DL4J
 * builders with the zoo's default input size and class count (org.convnet4j.zoo.*.SPEC).
 */
public final class Models {
    /** Seeds the weights and dropout masks of every model the benchmarks build. */
    public static final long SEED = 12345L;

    /** Builds a model for an H x W x C input and a class count; {@code seed} seeds weights and dropout. */
    @FunctionalInterface
    interface Builder {
        Net build(int height, int width, int channels, int classes, long seed);
    }

    /**
     * A zoo model: name, input H x W x C, default classes, and convnet4j's (= Keras') parameter
     * count at those classes, for the check in {@link ParamCounts}.
     */
    public record Spec(String name, int height, int width, int channels, int classes, long convnet4jParams,
                       Builder builder) {
        public Net build() {
            return build(classes, SEED);
        }

        public Net build(int k, long seed) {
            BackendInfo.prepare();
            return builder.build(height, width, channels, k, seed);
        }

        public long[] inputShape(int batch) {
            return new long[] {batch, channels, height, width};
        }
    }

    private static final Map<String, Spec> SPECS = new LinkedHashMap<>();

    static {
        add(new Spec("lenet5", 28, 28, 1, 10, 107_786L, LeNet5::build));
        add(new Spec("alexnet", 227, 227, 3, 5, 58_303_237L, AlexNet::alexnet));
        add(new Spec("alexnet8", 32, 32, 3, 10, 12_260_618L, AlexNet::alexnet8));
        add(new Spec("vgg16", 224, 224, 3, 5, 134_281_029L, Vgg16::vgg16));
        add(new Spec("vgg16-cifar", 32, 32, 3, 10, 2_264_394L, Vgg16::vgg16Cifar));
        add(new Spec("googlenet", 224, 224, 3, 5, 8_483_647L, GoogLeNet::build));
        add(new Spec("resnet50", 224, 224, 3, 5, 23_597_957L, ResNet50::build));
        add(new Spec("inception-v3", 299, 299, 3, 5, 21_813_029L, InceptionV3::build));
    }

    private Models() {
    }

    private static void add(Spec s) {
        SPECS.put(s.name(), s);
    }

    public static List<Spec> all() {
        return List.copyOf(SPECS.values());
    }

    public static Spec get(String name) {
        Spec s = SPECS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("Unknown model '" + name + "'. Known models: "
                    + String.join(", ", SPECS.keySet()));
        }
        return s;
    }
}
