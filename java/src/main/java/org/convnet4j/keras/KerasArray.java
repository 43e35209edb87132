package org.convnet4j.keras;

import java.util.Arrays;

/**
 * One weight of a Keras layer as the file holds it: its name within the layer ({@code kernel} from
 * {@code conv1_conv/kernel:0}), its shape in Keras' layout and its values in C order, as float.
 */
record KerasArray(String name, int[] shape, float[] values) {

    /** The shape written as Keras prints it, {@code (7, 7, 3, 64)}. */
    String shapeText() {
        return "(" + String.join(", ", Arrays.stream(shape).mapToObj(Integer::toString).toList()) + ")";
    }
}
