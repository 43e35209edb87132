package org.convnet4j.keras;

import java.util.List;

/** One entry of a Keras weight file's {@code layer_names}: the layer's name and its weights, in the file's order. */
record KerasLayer(String name, List<KerasArray> weights) {

    /** The weight called {@code name}, or null. */
    KerasArray weight(String name) {
        for (KerasArray a : weights) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        return null;
    }
}
