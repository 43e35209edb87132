package org.convnet4j.zoo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry of zoo models by name, in the order `convnet4j models` lists them. */
public final class Zoo {
    private static final Map<String, ModelSpec> MODELS = new LinkedHashMap<>();

    static {
        register(LeNet5.SPEC);
        register(AlexNet.ALEXNET);
        register(AlexNet.ALEXNET8);
        register(Vgg16.VGG16);
        register(Vgg16.VGG16_CIFAR);
        register(GoogLeNet.SPEC);
        register(ResNet50.SPEC);
        register(InceptionV3.SPEC);
    }

    private Zoo() {
    }

    private static void register(ModelSpec s) {
        MODELS.put(s.name(), s);
    }

    /**
     * Every registered model, in registration order (what {@code convnet4j models} lists).
     *
     * @return the specs
     */
    public static List<ModelSpec> all() {
        return List.copyOf(MODELS.values());
    }

    /**
     * The spec of {@code name}; an unknown name is an IllegalArgumentException listing the known ones.
     *
     * @param name a registered name, e.g. "resnet50"
     * @return the spec
     */
    public static ModelSpec get(String name) {
        ModelSpec s = MODELS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("Unknown model '" + name + "'. Known models: " + String.join(", ", MODELS.keySet()));
        }
        return s;
    }
}
