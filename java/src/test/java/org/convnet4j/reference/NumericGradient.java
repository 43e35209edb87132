package org.convnet4j.reference;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Central finite differences in float64, to check the reference's backward passes against its own
 * forward passes. With h = 1e-5 the truncation error is about h^2 times the third derivative (1e-10
 * for these smooth, O(1) functions) and the rounding error about 1e-16 |f| / h (1e-10 for |f| ~ 10),
 * so a disagreement above 1e-8 + 1e-6 |g| is a wrong formula, not noise.
 */
final class NumericGradient {
    static final double H = 1e-5;
    static final double ABS_TOL = 1e-8;
    static final double REL_TOL = 1e-6;

    private NumericGradient() {
    }

    /** The gradient of f at x, one central difference per coordinate. */
    static double[] of(ToDoubleFunction<double[]> f, double[] x) {
        double[] g = new double[x.length];
        double[] probe = x.clone();
        for (int i = 0; i < x.length; i++) {
            probe[i] = x[i] + H;
            double up = f.applyAsDouble(probe);
            probe[i] = x[i] - H;
            double down = f.applyAsDouble(probe);
            probe[i] = x[i];
            g[i] = (up - down) / (2 * H);
        }
        return g;
    }

    /** Fails naming the worst coordinate when analytic and numeric gradients disagree beyond the tolerance. */
    static void assertGradient(String what, double[] analytic, double[] numeric) {
        if (analytic.length != numeric.length) {
            fail(what + ": analytic gradient has " + analytic.length + " elements, numeric " + numeric.length);
        }
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < analytic.length; i++) {
            double allowed = ABS_TOL + REL_TOL * Math.max(Math.abs(analytic[i]), Math.abs(numeric[i]));
            double ratio = Math.abs(analytic[i] - numeric[i]) / allowed;
            if (!(ratio <= worstRatio)) {
                worst = i;
                worstRatio = ratio;
            }
        }
        if (worstRatio > 1 || Double.isNaN(worstRatio)) {
            fail(String.format("%s: analytic and numeric gradients differ at flat index %d: analytic %.12g, "
                            + "numeric %.12g (allowed %.1e + %.1e relative)",
                    what, worst, analytic[worst], numeric[worst], ABS_TOL, REL_TOL));
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] uniform(SplittableRandom rnd, long n, double lo, double hi) {
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextDouble(lo, hi);
        }
        return v;
    }

    /** A shuffled ramp: every value distinct and at least {@code spacing} from every other, so no max ties. */
    static double[] distinct(SplittableRandom rnd, long n, double spacing) {
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i - v.length / 2.0) * spacing;
        }
        for (int i = v.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return v;
    }

    /** Values in [-1, 1] no closer than {@code margin} to zero, away from relu's kink. */
    static double[] awayFromZero(SplittableRandom rnd, long n, double margin) {
        double[] v = uniform(rnd, n, margin, 1);
        for (int i = 0; i < v.length; i++) {
            if (rnd.nextBoolean()) {
                v[i] = -v[i];
            }
        }
        return v;
    }
}
