package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.ops.DropoutOp;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DropoutOp by its properties, since the Philox mask is not worth re-deriving in a reference: every
 * output is 0 or x / (1 - rate); the kept fraction, and the fraction of neighbouring pairs both kept,
 * are within 6 standard deviations of (1 - rate) and (1 - rate)^2; the mask is a function of (seed,
 * step, flat index) only, so it repeats for the same (seed, step), ignores the values and the shape,
 * changes with the step or the seed, and the backward applies the forward's; rate 0 is the identity.
 */
class DropoutTest extends BackendSuite {
    private static final double SIGMAS = 6;

    static Stream<DropoutOp> ops() {
        return Stream.of(
                new DropoutOp(Shape.nchw(4, 8, 15, 15), 0.5f, 1234),
                new DropoutOp(Shape.nchw(4, 8, 15, 15), 0.2f, 99),
                new DropoutOp(Shape.of(64, 113), 0.9f, -5),
                new DropoutOp(Shape.of(64, 113), 0.3f, 7));
    }

    static Stream<Arguments> cases() {
        return BackendCases.crossed(ops());
    }

    /** Values at least 0.01 from zero, so that a kept element never reads as dropped. */
    private static double[] input(DropoutOp op) {
        return TestData.awayFromZero(TestData.random(op), op.input(), 0.01);
    }

    /** The forward of step {@code step} on x, downloaded. */
    private static double[] forward(TensorScope s, DropoutOp op, long step, double[] x) {
        Tensor xt = s.upload(op.input(), x);
        Tensor y = s.output(op.input());
        s.backend().dropoutForward(op, step, xt, y);
        return s.download(y);
    }

    private static boolean[] mask(double[] y) {
        boolean[] kept = new boolean[y.length];
        for (int i = 0; i < y.length; i++) {
            kept[i] = y[i] != 0;
        }
        return kept;
    }

    private static void assertWithinSigmas(String what, double observed, double p, long n) {
        double sigma = Math.sqrt(p * (1 - p) / n);
        assertTrue(Math.abs(observed - p) <= SIGMAS * sigma, String.format(
                "%s: observed %.4f, expected %.4f +- %.4f (%.0f sigma over %d trials)", what, observed, p,
                SIGMAS * sigma, SIGMAS, n));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void outputIsZeroOrScaledInput(String backend, DropoutOp op) {
        double[] x = input(op);
        try (TensorScope s = scope(backend)) {
            double[] y = forward(s, op, 3, x);
            double keep = 1 - (double) op.rate();
            double[] expected = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                expected[i] = y[i] == 0 ? 0 : x[i] / keep;
            }
            Compare.assertClose(op + " y (0 or x / (1 - rate))", op.input(), expected, y, Tolerance.ELEMENTWISE);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void keptFractionIsOneMinusRateAndNeighboursAreIndependent(String backend, DropoutOp op) {
        double[] x = input(op);
        double keep = 1 - (double) op.rate();
        try (TensorScope s = scope(backend)) {
            for (long step = 1; step <= 3; step++) {
                boolean[] kept = mask(forward(s, op, step, x));
                int count = 0;
                int pairs = 0;
                for (int i = 0; i < kept.length; i++) {
                    count += kept[i] ? 1 : 0;
                    pairs += i + 1 < kept.length && kept[i] && kept[i + 1] ? 1 : 0;
                }
                assertWithinSigmas(op + " step " + step + " kept fraction", count / (double) kept.length, keep,
                        kept.length);
                assertWithinSigmas(op + " step " + step + " neighbours both kept",
                        pairs / (double) (kept.length - 1), keep * keep, kept.length - 1);
            }
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backwardAppliesTheForwardMask(String backend, DropoutOp op) {
        double[] x = input(op);
        double[] dy = TestData.uniform(TestData.random("dy " + op), op.input(), -1, 1);
        double keep = 1 - (double) op.rate();
        try (TensorScope s = scope(backend)) {
            boolean[] kept = mask(forward(s, op, 17, x));
            Tensor dyt = s.upload(op.input(), dy);
            Tensor dx = s.output(op.input());
            s.backend().dropoutBackward(op, 17, dyt, dx);
            double[] expected = new double[dy.length];
            for (int i = 0; i < dy.length; i++) {
                expected[i] = kept[i] ? dy[i] / keep : 0;
            }
            Compare.assertClose(op + " dx (forward's mask, step 17)", op.input(), expected, s.download(dx),
                    Tolerance.ELEMENTWISE);
        }
    }

    /** Same (seed, step): the same mask, whatever the values; the output of equal inputs is bit-identical. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void maskRepeatsForTheSameSeedAndStep(String backend, DropoutOp op) {
        double[] x = input(op);
        double[] other = TestData.awayFromZero(TestData.random("other " + op), op.input(), 0.01);
        try (TensorScope s = scope(backend)) {
            double[] first = forward(s, op, 5, x);
            forward(s, op, 6, x);
            Compare.assertClose(op + " y repeated at step 5", op.input(), first, forward(s, op, 5, x), Tolerance.EXACT);
            boolean[] a = mask(first);
            boolean[] b = mask(forward(s, op, 5, other));
            for (int i = 0; i < a.length; i++) {
                if (a[i] != b[i]) {
                    fail(op + ": the mask depends on the input values: element " + Compare.index(op.input(), i)
                            + " kept=" + a[i] + " for one input and kept=" + b[i] + " for another, same seed and step");
                }
            }
        }
    }

    /** The mask of element i depends on i, not on the shape around it. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void maskIsAFunctionOfTheFlatIndex(String backend, DropoutOp op) {
        double[] x = input(op);
        DropoutOp flat = new DropoutOp(Shape.of(op.input().size()), op.rate(), op.seed());
        int prefixLength = (int) (op.input().size() / 3);
        DropoutOp prefix = new DropoutOp(Shape.of(prefixLength), op.rate(), op.seed());
        try (TensorScope s = scope(backend)) {
            boolean[] shaped = mask(forward(s, op, 9, x));
            boolean[] asVector = mask(forward(s, flat, 9, x));
            boolean[] shorter = mask(forward(s, prefix, 9, Arrays.copyOf(x, prefixLength)));
            for (int i = 0; i < shaped.length; i++) {
                if (shaped[i] != asVector[i] || (i < prefixLength && shaped[i] != shorter[i])) {
                    fail(op + ": the mask of flat element " + i + " changes with the shape: " + op.input() + " kept="
                            + shaped[i] + ", " + flat.input() + " kept=" + asVector[i]
                            + (i < prefixLength ? ", " + prefix.input() + " kept=" + shorter[i] : ""));
                }
            }
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void maskChangesWithTheStepAndTheSeed(String backend, DropoutOp op) {
        double[] x = input(op);
        double keep = 1 - (double) op.rate();
        double expectedDiffering = 2 * keep * (1 - keep);
        DropoutOp reseeded = new DropoutOp(op.input(), op.rate(), op.seed() + 1);
        try (TensorScope s = scope(backend)) {
            boolean[] base = mask(forward(s, op, 1, x));
            boolean[] nextStep = mask(forward(s, op, 2, x));
            boolean[] nextSeed = mask(forward(s, reseeded, 1, x));
            assertWithinSigmas(op + " elements whose mask differs between steps 1 and 2",
                    differing(base, nextStep), expectedDiffering, base.length);
            assertWithinSigmas(op + " elements whose mask differs between seeds " + op.seed() + " and "
                    + reseeded.seed(), differing(base, nextSeed), expectedDiffering, base.length);
        }
    }

    private static double differing(boolean[] a, boolean[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            n += a[i] != b[i] ? 1 : 0;
        }
        return n / (double) a.length;
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void rateZeroIsTheIdentity(String backend) {
        DropoutOp op = new DropoutOp(Shape.nchw(2, 3, 7, 9), 0f, 42);
        double[] x = TestData.uniform(TestData.random(op), op.input(), -1, 1);
        try (TensorScope s = scope(backend)) {
            Compare.assertClose(op + " y", op.input(), x, forward(s, op, 1, x), Tolerance.EXACT);
            Tensor dy = s.upload(op.input(), x);
            Tensor dx = s.output(op.input());
            s.backend().dropoutBackward(op, 1, dy, dx);
            Compare.assertClose(op + " dx", op.input(), x, s.download(dx), Tolerance.EXACT);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void finiteDifferences(String backend, DropoutOp op) {
        double[] x = input(op);
        SplittableRandom rnd = TestData.random("fd " + op);
        double[] r = TestData.uniform(rnd, op.input(), -1, 1);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor xt = s.upload(op.input(), x);
            Tensor y = s.output(op.input());
            Tensor dy = s.upload(op.input(), r);
            Tensor dx = s.output(op.input());
            be.dropoutBackward(op, 4, dy, dx);
            FiniteDifference.check(op + " dx (step 4)", op.input(), x, s.download(dx), r, v -> {
                s.set(xt, v);
                be.dropoutForward(op, 4, xt, y);
                return s.download(y);
            }, rnd);
        }
    }

    /** The mask is documented to be the same on every backend; checked where more than one can run. */
    @Test
    void everyBackendDrawsTheSameMask() {
        DropoutOp op = ops().findFirst().orElseThrow();
        double[] x = input(op);
        double[] cpu;
        try (TensorScope s = scope("cpu")) {
            cpu = forward(s, op, 8, x);
        }
        try (TensorScope s = scope("cuda")) {
            double[] cuda = forward(s, op, 8, x);
            boolean[] a = mask(cpu);
            boolean[] b = mask(cuda);
            assertEquals(0.0, differing(a, b), op + ": fraction of elements whose cpu and cuda masks differ at step 8");
        }
    }
}
