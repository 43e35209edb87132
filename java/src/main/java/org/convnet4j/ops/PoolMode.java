package org.convnet4j.ops;

/** What a pooling window computes. AVERAGE divides by the number of real (unpadded) elements, as Keras does. */
public enum PoolMode {
    /** The largest element of the window. */
    MAX,
    /** The mean of the window's unpadded elements. */
    AVERAGE
}
