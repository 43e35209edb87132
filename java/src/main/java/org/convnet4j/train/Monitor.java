package org.convnet4j.train;

import org.convnet4j.report.History;

/** A metric callbacks watch: Keras' monitor names, and whether lower is better. */
public enum Monitor {
    LOSS("loss", true), ACCURACY("accuracy", false), VAL_LOSS("val_loss", true), VAL_ACCURACY("val_accuracy", false);

    private final String keras;
    private final boolean lowerIsBetter;

    Monitor(String keras, boolean lowerIsBetter) {
        this.keras = keras;
        this.lowerIsBetter = lowerIsBetter;
    }

    public static Monitor parse(String name) {
        for (Monitor m : values()) {
            if (m.keras.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("Unknown monitor '" + name + "'. Expected loss, accuracy, val_loss or val_accuracy");
    }

    public double value(History.Epoch e) {
        return switch (this) {
            case LOSS -> e.loss();
            case ACCURACY -> e.accuracy();
            case VAL_LOSS -> e.valLoss();
            case VAL_ACCURACY -> e.valAccuracy();
        };
    }

    /** True when {@code value} improves on {@code best} by more than {@code minDelta}; NaN never improves. */
    public boolean improves(double value, double best, double minDelta) {
        if (Double.isNaN(value)) {
            return false;
        }
        if (Double.isNaN(best)) {
            return true;
        }
        return lowerIsBetter ? value < best - minDelta : value > best + minDelta;
    }

    public String kerasName() {
        return keras;
    }
}
