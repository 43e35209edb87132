package org.convnet4j.train;

import org.convnet4j.report.History;

/** Hooks into {@link Fit}, as Keras callbacks. */
public interface Callback {
    /** After each epoch's metrics are in the history; return true to stop training. */
    default boolean onEpochEnd(History.Epoch epoch, Trainer trainer) {
        return false;
    }

    /** Once, after the last epoch (stopped early or not). */
    default void onTrainEnd(Trainer trainer) {
    }
}
