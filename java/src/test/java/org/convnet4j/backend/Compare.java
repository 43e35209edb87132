package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

import org.convnet4j.tensor.Shape;

/**
 * Element-by-element comparison of a backend result with the reference. A failure names what was
 * compared (the op, which carries its shapes, and the tensor), the tensor's shape, how many elements
 * are out, and the worst one: its index in the shape, expected, actual and the allowed difference.
 * A NaN (an element the primitive never wrote, see {@link TensorScope#output}) is always the worst.
 */
final class Compare {
    private Compare() {
    }

    static void assertClose(String what, Shape shape, double[] expected, double[] actual, Tolerance tol) {
        if (expected.length != actual.length || expected.length != shape.size()) {
            fail(what + ": expected " + expected.length + " values, actual " + actual.length + ", shape " + shape);
        }
        int worst = -1;
        double worstRatio = -1;
        int outside = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs(actual[i] - expected[i]);
            double allowed = tol.allowed(expected[i]);
            boolean ok = diff <= allowed;
            double ratio = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : allowed == 0 ? (ok ? 0 : Double.MAX_VALUE) : diff / allowed;
            if (!ok) {
                outside++;
            }
            if (ratio > worstRatio) {
                worst = i;
                worstRatio = ratio;
            }
        }
        if (outside > 0) {
            fail(String.format("%s [%s]: %d of %d elements outside %s; worst at %s (flat %d): expected %.9g, "
                            + "actual %.9g, |diff| %.3e, allowed %.3e",
                    what, shape, outside, expected.length, tol, index(shape, worst), worst, expected[worst],
                    actual[worst], Math.abs(actual[worst] - expected[worst]), tol.allowed(expected[worst])));
        }
    }

    static void assertClose(String what, double expected, double actual, Tolerance tol) {
        if (!(Math.abs(actual - expected) <= tol.allowed(expected))) {
            fail(String.format("%s: expected %.9g, actual %.9g, |diff| %.3e, allowed %.3e (%s)",
                    what, expected, actual, Math.abs(actual - expected), tol.allowed(expected), tol));
        }
    }

    /** The multi-index of a flat row-major position, as "[n, c, h, w]". */
    static String index(Shape shape, int flat) {
        long[] d = shape.dims();
        long[] idx = new long[d.length];
        long rest = flat;
        for (int a = d.length - 1; a >= 0; a--) {
            idx[a] = rest % d[a];
            rest /= d[a];
        }
        return Arrays.toString(idx);
    }
}
