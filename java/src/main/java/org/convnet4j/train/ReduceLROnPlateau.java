package org.convnet4j.train;

/**
 * Keras' ReduceLROnPlateau: when the monitored metric has not improved by more than {@code minDelta}
 * for {@code patience} epochs, the learning rate is multiplied by {@code factor} (never below
 * {@code minLr}), and {@code cooldown} epochs pass before waiting starts again. Keras' defaults:
 * {@link #keras()}.
 *
 * <p>It multiplies whatever a {@link LearningRateSchedule} gives, so both may be used together (Keras
 * refuses that; PyTorch chains them the same way): the rate of a step is {@code configured rate *
 * schedule factor * plateau factor}, and {@code minLr} bounds the configured rate times the plateau
 * factor. With the constant schedule this is Keras' behaviour exactly.
 *
 * <p>Its state (best value, epochs waited, cooldown, the factor reached) is a function of the metrics
 * of the epochs so far, so {@link Fit} rebuilds it from the history a resumed run continues: nothing
 * more needs saving.
 */
public record ReduceLROnPlateau(Monitor monitor, double factor, int patience, double minDelta, int cooldown,
                                double minLr) {
    /**
     * Settings, checked; {@link #keras()} and the {@code with} methods are the usual way to make them.
     *
     * @param monitor the metric watched
     * @param factor the rate's multiplier on a plateau, in (0, 1)
     * @param patience epochs without improvement before reducing
     * @param minDelta the smallest change that counts as improvement
     * @param cooldown epochs after a reduction before waiting again
     * @param minLr the lowest rate
     */
    public ReduceLROnPlateau {
        if (monitor == null || !(factor > 0 && factor < 1) || patience < 0 || !(minDelta >= 0) || cooldown < 0
                || !(minLr >= 0) || Double.isInfinite(minLr)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: expected a monitor, factor in (0, 1), patience >= 0,"
                    + " minDelta >= 0, cooldown >= 0 and a finite minLr >= 0. Received monitor=" + monitor + ", factor="
                    + factor + ", patience=" + patience + ", minDelta=" + minDelta + ", cooldown=" + cooldown
                    + ", minLr=" + minLr);
        }
    }

    /**
     * Keras' defaults: val_loss, factor 0.1, patience 10, minDelta 1e-4, cooldown 0, minLr 0.
     *
     * @return the settings
     */
    public static ReduceLROnPlateau keras() {
        return new ReduceLROnPlateau(Monitor.VAL_LOSS, 0.1, 10, 1e-4, 0, 0);
    }

    /**
     * The same with another metric watched (its direction, lower or higher is better, comes with it).
     *
     * @param m the new value
     * @return the new settings
     */
    public ReduceLROnPlateau withMonitor(Monitor m) {
        return new ReduceLROnPlateau(m, factor, patience, minDelta, cooldown, minLr);
    }

    /**
     * The same with another factor, in (0, 1), the rate is multiplied by on a plateau.
     *
     * @param f the new value
     * @return the new settings
     */
    public ReduceLROnPlateau withFactor(double f) {
        return new ReduceLROnPlateau(monitor, f, patience, minDelta, cooldown, minLr);
    }

    /**
     * The same waiting {@code p} epochs without improvement before reducing.
     *
     * @param p the new value
     * @return the new settings
     */
    public ReduceLROnPlateau withPatience(int p) {
        return new ReduceLROnPlateau(monitor, factor, p, minDelta, cooldown, minLr);
    }

    /**
     * The same counting only changes larger than {@code d} as improvements.
     *
     * @param d the new value
     * @return the new settings
     */
    public ReduceLROnPlateau withMinDelta(double d) {
        return new ReduceLROnPlateau(monitor, factor, patience, d, cooldown, minLr);
    }

    /**
     * The same pausing {@code c} epochs after a reduction before waiting again.
     *
     * @param c the new value
     * @return the new settings
     */
    public ReduceLROnPlateau withCooldown(int c) {
        return new ReduceLROnPlateau(monitor, factor, patience, minDelta, c, minLr);
    }

    /**
     * The same never reducing the rate below {@code lr}.
     *
     * @param lr the new value
     * @return the new settings
     */
    public ReduceLROnPlateau withMinLr(double lr) {
        return new ReduceLROnPlateau(monitor, factor, patience, minDelta, cooldown, lr);
    }

    /**
     * The text form of the command line's {@code --reduce-lr-on-plateau}: {@code PATIENCE} or
     * {@code PATIENCE:FACTOR}, Keras' defaults for the rest.
     *
     * @param spec the text form
     * @return the settings
     */
    public static ReduceLROnPlateau parse(String spec) {
        String[] f = spec.strip().split(":", -1);
        try {
            if (f.length == 1 || f.length == 2) {
                ReduceLROnPlateau r = keras().withPatience(Integer.parseInt(f[0]));
                return f.length == 2 ? r.withFactor(Double.parseDouble(f[1])) : r;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("ReduceLROnPlateau: expected PATIENCE or PATIENCE:FACTOR (e.g. 3 or 3:0.5)."
                + " Received '" + spec + "'");
    }

    /**
     * The text form {@link #parse} reads, with every setting (for a run's recorded settings).
     *
     * @return the text form
     */
    public String spec() {
        return patience + ":" + factor + (this.equals(keras().withPatience(patience).withFactor(factor)) ? ""
                : " (monitor " + monitor.kerasName() + ", minDelta " + minDelta + ", cooldown " + cooldown + ", minLr "
                + minLr + ")");
    }
}
