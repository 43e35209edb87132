package org.convnet4j.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Axis tick positions at "nice" steps (1, 2 or 5 times a power of ten), and labels with just enough
 * decimals to tell neighbouring ticks apart.
 */
final class Ticks {
    final List<Double> values;
    private final int decimals;

    private Ticks(List<Double> values, int decimals) {
        this.values = values;
        this.decimals = decimals;
    }

    /** About target ticks inside [min, max]. */
    static Ticks between(double min, double max, int target) {
        double step = niceStep((max - min) / target);
        return at(min, max, step);
    }

    /** Ticks on whole numbers inside [min, max], as epochs are counted. */
    static Ticks integers(double min, double max, int target) {
        double step = Math.max(1, niceStep((max - min) / target));
        return at(min, max, step);
    }

    String label(double v) {
        if (decimals > 6) {
            return String.format(Locale.ROOT, "%.2g", v);
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static Ticks at(double min, double max, double step) {
        List<Double> values = new ArrayList<>();
        // Multiplying the index (not accumulating steps) keeps 0.1 + 0.1 + 0.1 from drifting off 0.3.
        long first = (long) Math.ceil(min / step - 1e-9);
        for (long i = first; i * step <= max + step * 1e-9; i++) {
            values.add(i * step);
        }
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return new Ticks(values, decimals);
    }

    private static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / power;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }
}
