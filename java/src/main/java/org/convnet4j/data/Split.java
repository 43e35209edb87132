package org.convnet4j.data;

/** A data set cut in two: {@code train} is a prefix of the original order, {@code validation} the rest. */
public record Split(Dataset train, Dataset validation) {
    /**
     * A split; both parts are required.
     *
     * @param train the training part
     * @param validation the validation part
     */
    public Split {
        if (train == null || validation == null) {
            throw new IllegalArgumentException("Split needs both parts. Received train=" + train
                    + ", validation=" + validation);
        }
    }
}
