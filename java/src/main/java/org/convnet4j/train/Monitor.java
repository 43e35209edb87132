package org.convnet4j.train;

import org.convnet4j.report.History;

/** A metric callbacks watch: Keras' monitor names, and whether lower is better. */
public enum Monitor {
    /** The training loss, "loss"; lower is better. */
    LOSS("loss", true),
    /** The training accuracy, "accuracy"; higher is better. */
    ACCURACY("accuracy", false),
    /** The validation loss, "val_loss"; lower is better. */
    VAL_LOSS("val_loss", true),
    /** The validation accuracy, "val_accuracy"; higher is better. */
    VAL_ACCURACY("val_accuracy", false);

    private final String keras;
    private final boolean lowerIsBetter;

    Monitor(String keras, boolean lowerIsBetter) {
        this.keras = keras;
        this.lowerIsBetter = lowerIsBetter;
    }

    /**
     * The monitor of a Keras name.
     *
     * @param name "loss", "accuracy", "val_loss" or "val_accuracy"
     * @return the monitor
     * @throws IllegalArgumentException for any other name
     */
    public static Monitor parse(String name) {
        for (Monitor m : values()) {
            if (m.keras.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("Unknown monitor '" + name + "'. Expected loss, accuracy, val_loss or val_accuracy");
    }

    /**
     * This metric's value in one epoch of a history.
     *
     * @param e the epoch
     * @return the metric (NaN where the epoch has none, such as a validation metric without validation)
     */
    public double value(History.Epoch e) {
        return switch (this) {
            case LOSS -> e.loss();
            case ACCURACY -> e.accuracy();
            case VAL_LOSS -> e.valLoss();
            case VAL_ACCURACY -> e.valAccuracy();
        };
    }

    /**
     * True when {@code value} improves on {@code best} by more than {@code minDelta}; NaN never improves.
     *
     * @param value the new value
     * @param best the best so far; NaN (none yet) is improved on by any number
     * @param minDelta the least change that counts, &gt;= 0
     * @return whether value is better than best by more than minDelta in this metric's direction
     */
    public boolean improves(double value, double best, double minDelta) {
        if (Double.isNaN(value)) {
            return false;
        }
        if (Double.isNaN(best)) {
            return true;
        }
        return lowerIsBetter ? value < best - minDelta : value > best + minDelta;
    }

    /**
     * The name Keras gives this metric.
     *
     * @return e.g. "val_loss"
     */
    public String kerasName() {
        return keras;
    }
}
