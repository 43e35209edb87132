package org.convnet4j.backend;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.reference.BatchNormReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batch normalization on 4-D and 2-D inputs against {@link BatchNormReference}: the training forward
 * (y, the saved batch mean and biased variance, the moving-statistics update), the inference forward
 * (y from the moving statistics, which must stay untouched), the backward, and finite differences of
 * the training forward. Each channel of x has its own offset and scale so that a mean or variance taken
 * over the wrong axis cannot pass; a momentum of 0.5 makes the moving update's batch term large enough
 * that the unbiased variance (off by R/(R-1)) would fail.
 */
class BatchNormTest extends BackendSuite {

    static Stream<BatchNorm> ops() {
        return Stream.of(
                BatchNorm.of(Shape.nchw(2, 3, 7, 9)),
                BatchNorm.of(Shape.nchw(1, 4, 5, 5)),
                new BatchNorm(Shape.nchw(3, 8, 13, 11), 1e-5f, 0.9f),
                new BatchNorm(Shape.nchw(2, 3, 7, 9), 1e-3f, 0.5f),
                BatchNorm.of(Shape.of(5, 6)),
                new BatchNorm(Shape.of(2, 7), 1e-3f, 0.5f),
                // Moderately sized: a 14 x 14 stage of a small ResNet, and a dense head's features.
                BatchNorm.of(Shape.nchw(4, 16, 14, 14)),
                BatchNorm.of(Shape.of(8, 64)));
    }

    static Stream<Arguments> cases() {
        return BackendCases.crossed(ops());
    }

    /** A case's FP32-rounded x, parameters and moving statistics; r is the dy of the backward. */
    record Inputs(double[] x, double[] gamma, double[] beta, double[] movingMean, double[] movingVariance,
                  double[] r) {
        static Inputs of(BatchNorm op) {
            SplittableRandom rnd = TestData.random(op);
            int c = op.channels();
            double[] offset = TestData.uniform(rnd, c, -2, 2);
            double[] scale = TestData.uniform(rnd, c, 0.5, 2);
            double[] x = TestData.uniform(rnd, op.input(), -1, 1);
            long spatial = op.input().size() / op.input().dim(0) / c;
            for (int i = 0; i < x.length; i++) {
                int ch = (int) (i / spatial % c);
                x[i] = (float) (offset[ch] + scale[ch] * x[i]);
            }
            return new Inputs(x, TestData.uniform(rnd, c, 0.5, 1.5), TestData.uniform(rnd, c, -0.5, 0.5),
                    TestData.uniform(rnd, c, -0.2, 0.2), TestData.uniform(rnd, c, 0.5, 1.5),
                    TestData.uniform(rnd, op.input(), -1, 1));
        }

        BatchNormReference.Training training(BatchNorm op) {
            return BatchNormReference.forwardTraining(op, x, gamma, beta, movingMean, movingVariance);
        }

        double[] inference(BatchNorm op) {
            return BatchNormReference.forwardInference(op, x, gamma, beta, movingMean, movingVariance);
        }

        BatchNormReference.Gradients backward(BatchNorm op, double[] dy) {
            BatchNormReference.Training t = training(op);
            return BatchNormReference.backward(op, x, dy, gamma, t.mean(), t.variance());
        }
    }

    /** gamma, beta and the moving statistics of a case, uploaded into s. */
    static BatchNormParams upload(TensorScope s, BatchNorm op, Inputs in) {
        Shape p = op.paramShape();
        return new BatchNormParams(s.upload(p, in.gamma()), s.upload(p, in.beta()), s.upload(p, in.movingMean()),
                s.upload(p, in.movingVariance()));
    }

    /** The saved statistics as the reference lays them out: row 0 the mean, row 1 the biased variance. */
    static double[] saved(BatchNormReference.Training t) {
        double[] both = Arrays.copyOf(t.mean(), 2 * t.mean().length);
        System.arraycopy(t.variance(), 0, both, t.mean().length, t.variance().length);
        return both;
    }

    /** Statistics, outputs and gradients all come out of per-channel sums over R = N * H * W. */
    static Tolerance tolerance(BatchNorm op) {
        return Tolerance.reduction(op.reduction());
    }

    /** The training forward's y, saved statistics and moving statistics, checked against the reference. */
    static void assertTraining(String what, BatchNorm op, Inputs in, BatchNormReference.Training expected,
                               double[] y, TensorScope s, BatchNormParams p, Tensor saved) {
        Compare.assertClose(what + " y", op.input(), expected.y(), y, tolerance(op));
        Compare.assertClose(what + " saved (mean; biased variance)", op.savedShape(), saved(expected),
                s.download(saved), tolerance(op));
        Tolerance moving = Tolerance.movingStatistic(op.reduction(), op.momentum());
        Compare.assertClose(what + " moving_mean", op.paramShape(), expected.movingMean(),
                s.download(p.movingMean()), moving);
        Compare.assertClose(what + " moving_variance", op.paramShape(), expected.movingVariance(),
                s.download(p.movingVariance()), moving);
        Compare.assertClose(what + " gamma (unchanged)", op.paramShape(), in.gamma(), s.download(p.gamma()),
                Tolerance.EXACT);
        Compare.assertClose(what + " beta (unchanged)", op.paramShape(), in.beta(), s.download(p.beta()),
                Tolerance.EXACT);
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forwardTraining(String backend, BatchNorm op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            BatchNormParams p = upload(s, op, in);
            Tensor y = s.output(op.input());
            Tensor saved = s.output(op.savedShape());
            s.backend().batchNormForwardTraining(op, x, p, y, saved);
            assertTraining(op.toString(), op, in, in.training(op), s.download(y), s, p, saved);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forwardInference(String backend, BatchNorm op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            BatchNormParams p = upload(s, op, in);
            Tensor y = s.output(op.input());
            s.backend().batchNormForwardInference(op, x, p, y);
            Compare.assertClose(op + " inference y", op.input(), in.inference(op), s.download(y), Tolerance.FORMULA);
            Compare.assertClose(op + " inference moving_mean (unchanged)", op.paramShape(), in.movingMean(),
                    s.download(p.movingMean()), Tolerance.EXACT);
            Compare.assertClose(op + " inference moving_variance (unchanged)", op.paramShape(), in.movingVariance(),
                    s.download(p.movingVariance()), Tolerance.EXACT);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backward(String backend, BatchNorm op) {
        Inputs in = Inputs.of(op);
        BatchNormReference.Gradients expected = in.backward(op, in.r());
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            BatchNormParams p = upload(s, op, in);
            Tensor y = s.output(op.input());
            Tensor saved = s.output(op.savedShape());
            s.backend().batchNormForwardTraining(op, x, p, y, saved);
            Tensor dy = s.upload(op.input(), in.r());
            Tensor dx = s.output(op.input());
            Tensor dgamma = s.output(op.paramShape());
            Tensor dbeta = s.output(op.paramShape());
            s.backend().batchNormBackward(op, x, dy, p, saved, dx, dgamma, dbeta);
            Compare.assertClose(op + " dx", op.input(), expected.dx(), s.download(dx), tolerance(op));
            Compare.assertClose(op + " dgamma", op.paramShape(), expected.dgamma(), s.download(dgamma), tolerance(op));
            Compare.assertClose(op + " dbeta", op.paramShape(), expected.dbeta(), s.download(dbeta), tolerance(op));
        }
    }

    /** Training mode, where every y depends on every x of its channel through the batch statistics. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void finiteDifferences(String backend, BatchNorm op) {
        Inputs in = Inputs.of(op);
        SplittableRandom rnd = TestData.random("fd " + op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            BatchNormParams p = upload(s, op, in);
            Tensor y = s.output(op.input());
            Tensor saved = s.output(op.savedShape());
            be.batchNormForwardTraining(op, x, p, y, saved);
            Tensor dy = s.upload(op.input(), in.r());
            Tensor dx = s.output(op.input());
            Tensor dgamma = s.output(op.paramShape());
            Tensor dbeta = s.output(op.paramShape());
            be.batchNormBackward(op, x, dy, p, saved, dx, dgamma, dbeta);
            FiniteDifference.Forward run = v -> {
                be.batchNormForwardTraining(op, x, p, y, saved);
                return s.download(y);
            };
            FiniteDifference.check(op + " dx", op.input(), in.x(), s.download(dx), in.r(), v -> {
                s.set(x, v);
                return run.apply(v);
            }, rnd);
            s.set(x, in.x());
            FiniteDifference.check(op + " dgamma", op.paramShape(), in.gamma(), s.download(dgamma), in.r(), v -> {
                s.set(p.gamma(), v);
                return run.apply(v);
            }, rnd);
            s.set(p.gamma(), in.gamma());
            FiniteDifference.check(op + " dbeta", op.paramShape(), in.beta(), s.download(dbeta), in.r(), v -> {
                s.set(p.beta(), v);
                return run.apply(v);
            }, rnd);
        }
    }
}
