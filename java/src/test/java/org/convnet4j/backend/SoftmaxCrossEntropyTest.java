package org.convnet4j.backend;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.ops.SoftmaxCrossEntropy;
import org.convnet4j.reference.SoftmaxCrossEntropyReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * softmaxCrossEntropy with one-hot and sparse labels, weights 1 and 0.3 (GoogLeNet's auxiliary heads),
 * against {@link SoftmaxCrossEntropyReference}: the returned loss, the probabilities and dlogits; and
 * dlogits against finite differences of the returned loss. Logits of scale 100 overflow FP32's exp
 * unless the row maximum is subtracted first.
 */
class SoftmaxCrossEntropyTest extends BackendSuite {

    /** A logits shape, the label kind, the loss weight, and the range of the logits. */
    record Case(Shape logits, boolean sparse, double weight, double scale) {
        SoftmaxCrossEntropy op() {
            return new SoftmaxCrossEntropy(logits, sparse);
        }

        @Override
        public String toString() {
            return op() + ", weight " + weight + ", logits in +-" + scale;
        }
    }

    static Stream<Arguments> cases() {
        return BackendCases.crossed(Stream.of(
                new Case(Shape.of(1, 10), true, 1, 3),
                new Case(Shape.of(1, 10), false, 0.3, 3),
                new Case(Shape.of(4, 7), false, 1, 3),
                new Case(Shape.of(4, 7), true, 0.3, 3),
                new Case(Shape.of(5, 13), false, 0.3, 5),
                new Case(Shape.of(6, 2), true, 1, 2),
                new Case(Shape.of(2, 3), false, 1, 100),
                new Case(Shape.of(3, 5), true, 0.3, 100),
                // ImageNet's 1000 classes, with logits large enough to need the max shift.
                new Case(Shape.of(3, 1000), true, 1, 20),
                new Case(Shape.of(3, 1000), false, 0.3, 20)));
    }

    record Inputs(double[] logits, int[] classes, double[] oneHot) {
        static Inputs of(Case c) {
            SplittableRandom rnd = TestData.random(c);
            SoftmaxCrossEntropy op = c.op();
            double[] logits = TestData.uniform(rnd, c.logits(), -c.scale(), c.scale());
            int[] classes = TestData.classes(rnd, op.batch(), op.classes());
            return new Inputs(logits, classes, SoftmaxCrossEntropyReference.oneHot(classes, op.classes()));
        }
    }

    private static Tensor labels(TensorScope s, Case c, Inputs in) {
        return c.sparse() ? s.labels(in.classes()) : s.upload(c.logits(), in.oneHot());
    }

    /** Each row's softmax and log-sum-exp reduce over K classes. */
    private static Tolerance tolerance(Case c) {
        return Tolerance.reduction(c.logits().dim(1));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void lossProbsAndGradient(String backend, Case c) {
        Inputs in = Inputs.of(c);
        SoftmaxCrossEntropy op = c.op();
        SoftmaxCrossEntropyReference.Result expected =
                SoftmaxCrossEntropyReference.forward(op, in.logits(), in.oneHot(), (float) c.weight());
        try (TensorScope s = scope(backend)) {
            Tensor logits = s.upload(c.logits(), in.logits());
            Tensor labels = labels(s, c, in);
            Tensor probs = s.output(c.logits());
            Tensor dlogits = s.output(c.logits());
            float loss = s.backend().softmaxCrossEntropy(op, logits, labels, (float) c.weight(), probs, dlogits);
            Compare.assertClose(c + " loss", expected.loss(), loss, tolerance(c));
            Compare.assertClose(c + " probs", c.logits(), expected.probs(), s.download(probs), tolerance(c));
            Compare.assertClose(c + " dlogits", c.logits(), expected.dlogits(), s.download(dlogits), tolerance(c));
            Compare.assertClose(c + " logits (unchanged)", c.logits(), in.logits(), s.download(logits), Tolerance.EXACT);
        }
    }

    /** The scalar here is the returned loss itself (r = 1). */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void finiteDifferences(String backend, Case c) {
        Inputs in = Inputs.of(c);
        SoftmaxCrossEntropy op = c.op();
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor logits = s.upload(c.logits(), in.logits());
            Tensor labels = labels(s, c, in);
            Tensor probs = s.output(c.logits());
            Tensor dlogits = s.output(c.logits());
            be.softmaxCrossEntropy(op, logits, labels, (float) c.weight(), probs, dlogits);
            FiniteDifference.check(c + " dlogits", c.logits(), in.logits(), s.download(dlogits), new double[] {1},
                    v -> {
                        s.set(logits, v);
                        return new double[] {be.softmaxCrossEntropy(op, logits, labels, (float) c.weight(), probs,
                                dlogits)};
                    }, TestData.random("fd " + c));
        }
    }
}
