package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.convnet4j.tensor.Shape;

/**
 * Float32 finite-difference spot checks on a backend itself, independent of the reference: for the
 * scalar {@code L = sum(y * r)}, whose gradient is the backend's backward with dy = r, a central
 * difference at a few coordinates must match that backward. The coordinates are half random and half
 * where the backend's gradient is largest, so neither a gradient that is missing nor one that is
 * spurious can hide. The step is the one FP32 actually took ({@code (float)(x+eps) - (float)(x-eps)}).
 */
final class FiniteDifference {
    static final double EPS = 1e-2;
    private static final int SAMPLES = 4;

    private FiniteDifference() {
    }

    /** Runs the backend's forward with one input replaced, returning its output downloaded. */
    @FunctionalInterface
    interface Forward {
        double[] apply(double[] input);
    }

    /**
     * @param what     names the op, its shapes and the input differentiated
     * @param input    the input's values (FP32-rounded)
     * @param analytic the backend's gradient of {@code sum(y * r)} with respect to input
     * @param r        the fixed weights of the outputs (the dy given to the backward)
     */
    static void check(String what, Shape shape, double[] input, double[] analytic, double[] r, Forward forward,
                      SplittableRandom rnd) {
        for (int i : coordinates(analytic, rnd)) {
            double[] probe = input.clone();
            float up = (float) (input[i] + EPS);
            float down = (float) (input[i] - EPS);
            probe[i] = up;
            double lossUp = TestData.dot(forward.apply(probe), r);
            probe[i] = down;
            double lossDown = TestData.dot(forward.apply(probe), r);
            double numeric = (lossUp - lossDown) / ((double) up - (double) down);
            Tolerance tol = Tolerance.FINITE_DIFFERENCE;
            if (!(Math.abs(numeric - analytic[i]) <= tol.allowed(analytic[i]))) {
                fail(String.format("%s [%s]: finite difference at %s (flat %d) is %.6g, the backward says %.6g "
                                + "(eps %.0e, allowed %s)",
                        what, shape, Compare.index(shape, i), i, numeric, analytic[i], EPS, tol));
            }
        }
    }

    private static Set<Integer> coordinates(double[] analytic, SplittableRandom rnd) {
        Set<Integer> picked = new LinkedHashSet<>();
        int n = analytic.length;
        for (int k = 0; k < SAMPLES && picked.size() < n; k++) {
            picked.add(rnd.nextInt(n));
        }
        IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -Math.abs(analytic[i])))
                .limit(SAMPLES)
                .forEach(picked::add);
        return picked;
    }
}
