package org.convnet4j.graph;

import java.util.Map;
import java.util.TreeMap;

/**
 * Wall time per layer type and pass, switched on with {@code -Dconvnet4j.profile=true} (the one
 * debug switch; off, it costs a field read per layer call). The CPU backend is synchronous, so a
 * call's wall time is its compute time; a GPU backend must synchronize before these numbers mean
 * anything.
 */
public final class Profiler {
    /** Whether timings are collected. */
    public static final boolean ON = Boolean.getBoolean("convnet4j.profile");

    private static final Map<String, long[]> TOTALS = new TreeMap<>();

    private Profiler() {
    }

    /**
     * Adds {@code nanos} to (what, pass): pass 0 forward, 1 backward. Thread-safe; callers check
     * {@link #ON} first.
     *
     * @param what the layer type, such as "Conv2D"
     * @param pass 0 for forward, 1 for backward
     * @param nanos the call's wall time in nanoseconds
     */
    public static synchronized void add(String what, int pass, long nanos) {
        long[] t = TOTALS.computeIfAbsent(what, k -> new long[4]);
        t[pass] += nanos;
        t[2 + pass]++;
    }

    /** Forgets every timing collected so far, for example after warm-up. Thread-safe. */
    public static synchronized void reset() {
        TOTALS.clear();
    }

    /**
     * A table of seconds per layer type and pass, largest total first, with shares of the whole.
     *
     * @return the table, one line per layer type after a header line
     */
    public static synchronized String report() {
        double sum = 0;
        for (long[] t : TOTALS.values()) {
            sum += t[0] + t[1];
        }
        double all = Math.max(sum, 1);
        StringBuilder b = new StringBuilder(String.format("%-24s %10s %10s %8s%n", "layer type", "forward s", "backward s", "share"));
        TOTALS.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue()[0] + y.getValue()[1], x.getValue()[0] + x.getValue()[1]))
                .forEach(e -> b.append(String.format("%-24s %10.3f %10.3f %7.1f%%%n", e.getKey(), e.getValue()[0] / 1e9,
                        e.getValue()[1] / 1e9, 100 * (e.getValue()[0] + e.getValue()[1]) / all)));
        return b.toString();
    }
}
