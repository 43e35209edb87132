package org.convnet4j.backend;

import java.util.SplittableRandom;

import org.convnet4j.tensor.Shape;

/**
 * Seeded random test inputs, every value already rounded to FP32 so that the backend and the float64
 * reference see exactly the same numbers. Each case seeds its own generator from its description, so a
 * failing case reproduces alone.
 */
final class TestData {
    private TestData() {
    }

    /** A generator seeded by a case's description (its toString). */
    static SplittableRandom random(Object caseKey) {
        return new SplittableRandom(caseKey.toString().hashCode());
    }

    static double[] uniform(SplittableRandom rnd, Shape shape, double lo, double hi) {
        return uniform(rnd, shape.size(), lo, hi);
    }

    static double[] uniform(SplittableRandom rnd, long n, double lo, double hi) {
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextDouble(lo, hi);
        }
        return v;
    }

    /**
     * Within every H x W plane, a shuffled ramp {@code spacing} apart: no two cells of a pooling window
     * tie, and a finite-difference step below spacing / 2 never changes which one wins.
     */
    static double[] distinctPerPlane(SplittableRandom rnd, Shape shape, double spacing) {
        int plane = shape.intDim(2) * shape.intDim(3);
        double[] v = new double[Math.toIntExact(shape.size())];
        int[] order = new int[plane];
        for (int p = 0; p < v.length / plane; p++) {
            for (int i = 0; i < plane; i++) {
                order[i] = i;
            }
            shuffle(rnd, order);
            for (int i = 0; i < plane; i++) {
                v[p * plane + i] = (float) ((order[i] - plane / 2.0) * spacing);
            }
        }
        return v;
    }

    /** Values in [-1, -margin] and [margin, 1]: away from relu's kink by more than a finite-difference step. */
    static double[] awayFromZero(SplittableRandom rnd, Shape shape, double margin) {
        double[] v = new double[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            double m = rnd.nextDouble(margin, 1);
            v[i] = (float) (rnd.nextBoolean() ? m : -m);
        }
        return v;
    }

    static int[] classes(SplittableRandom rnd, int n, int k) {
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            c[i] = rnd.nextInt(k);
        }
        return c;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void shuffle(SplittableRandom rnd, int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
