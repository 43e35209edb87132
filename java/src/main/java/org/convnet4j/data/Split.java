package org.convnet4j.data;

/** A data set cut in two: {@code train} is a prefix of the original order, {@code validation} the rest. */
public record Split(Dataset train, Dataset validation) {
    public Split {
        if (train == null || validation == null) {
            throw new IllegalArgumentException("Split needs both parts. Received train=" + train
                    + ", validation=" + validation);
        }
    }
}
