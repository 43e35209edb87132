package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.GraphReference;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.TestModels;
import org.convnet4j.graph.Weights;
import org.convnet4j.ops.Adam;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trainer on LeNet-5-sized models and separable synthetic images: the loss falls, a seed fixes the
 * whole run bit for bit, and evaluation and prediction run in inference mode (moving statistics, no
 * dropout), checked against the float64 twin of the model.
 */
class TrainerTest {
    private static final int BATCH = 32;
    private static final int CLASSES = 10;

    private static Backend backend;
    private static SyntheticImages data;

    @BeforeAll
    static void open() {
        backend = Backends.create("cpu");
        data = SyntheticImages.make(320, CLASSES, 7);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** Adam at Keras' defaults; the first batch's loss is about ln 10 = 2.3, and it must fall below 0.23. */
    @Test
    void lossFallsTenfoldWithinAHundredAndFiftySteps() {
        Model m = TestModels.lenet5(CLASSES);
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer trainer = new Trainer(m, backend, w, adam)) {
            w.initialize(1);
            double first = Double.NaN;
            double recent = Double.NaN;
            int step = 0;
            while (step < 150) {
                double loss = trainer.trainBatch(data.images(step * BATCH, BATCH), data.labels(step * BATCH, BATCH), BATCH).loss();
                step++;
                if (step == 1) {
                    first = loss;
                    recent = loss;
                }
                recent = 0.8 * recent + 0.2 * loss;
                if (step >= 10 && recent <= first / 10) {
                    break;
                }
            }
            assertTrue(first > 1.5, "first loss " + first);
            assertTrue(recent <= first / 10, "after " + step + " steps the smoothed loss is " + recent + ", first " + first);
            assertEquals(step, trainer.optimizer().iterations());
            Trainer.BatchResult eval = trainer.evaluateBatch(data.images(0, BATCH), data.labels(0, BATCH), BATCH);
            assertTrue(eval.correct() >= BATCH - 1, "only " + eval.correct() + " of " + BATCH + " right after training");
        }
    }

    /** Same seed, same batches: every weight (moving statistics included) and Adam moment equal bit for bit. */
    @Test
    void twoRunsWithTheSameSeedAreBitIdentical() {
        List<float[]> a = run(11);
        List<float[]> b = run(11);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), "tensor " + i);
        }
        List<float[]> c = run(12);
        assertTrue(!java.util.Arrays.equals(a.get(0), c.get(0)), "another seed must give other weights");
    }

    private static List<float[]> run(long seed) {
        Model m = TestModels.lenet5WithBatchNormAndDropout(CLASSES, 0.5);
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer trainer = new Trainer(m, backend, w, adam)) {
            w.initialize(seed);
            for (int step = 0; step < 8; step++) {
                trainer.trainBatch(data.images(step * BATCH, BATCH), data.labels(step * BATCH, BATCH), BATCH);
            }
            // A smaller last batch, as an epoch ends.
            trainer.trainBatch(data.images(0, 7), data.labels(0, 7), 7);
            List<float[]> out = new ArrayList<>();
            for (ParamRef p : m.params()) {
                out.add(w.read(p));
                if (p.spec().trainable()) {
                    out.add(download(adam.firstMoment(p.index())));
                    out.add(download(adam.secondMoment(p.index())));
                }
            }
            return out;
        }
    }

    /**
     * After a few training steps the moving statistics (momentum 0.99) are still near 0 and 1 while
     * the batch statistics are not, and Dropout(0.5) halves the hidden units in training: evaluation
     * agrees with the twin's inference forward, not its training forward, gives the same result on every
     * call, and changes no weight.
     */
    @Test
    void evaluateAndPredictUseMovingStatisticsAndNoDropout() {
        int n = 16;
        GraphReference twin = new GraphReference(n);
        Model m = TestModels.lenet5WithBatchNormAndDropout(twin, CLASSES, 0.5);
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer trainer = new Trainer(m, backend, w, adam)) {
            w.initialize(3);
            for (int step = 0; step < 5; step++) {
                trainer.trainBatch(data.images(step * BATCH, BATCH), data.labels(step * BATCH, BATCH), BATCH);
            }
            float[] x = data.images(100, n);
            int[] y = data.labels(100, n);
            List<double[]> params = GraphReference.read(w);

            Trainer.BatchResult first = trainer.evaluateBatch(x, y, n);
            Trainer.BatchResult second = trainer.evaluateBatch(x, y, n);
            assertEquals(first, second, "evaluation must be deterministic");
            List<double[]> after = GraphReference.read(w);
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(params.get(i), after.get(i), "evaluation changed " + m.params().get(i).key());
            }

            double[] xd = toDouble(x);
            double inference = twin.loss(m, params, xd, y, false);
            twin.drawMasks(backend, 1);
            double training = twin.loss(m, params, xd, y, true);
            assertEquals(inference, first.loss(), 1e-4 * Math.abs(inference), "evaluation loss against the twin's inference loss");
            assertTrue(Math.abs(training - inference) > 100 * 1e-4 * Math.abs(inference),
                    "training " + training + " and inference " + inference + " losses too close for the check to mean anything");

            float[] p = trainer.predictBatch(x, n);
            double[] expected = twin.probabilities(m, params, xd, false);
            for (int r = 0; r < n; r++) {
                double sum = 0;
                for (int c = 0; c < CLASSES; c++) {
                    int i = r * CLASSES + c;
                    assertEquals(expected[i], p[i], 1e-5, "probability [" + r + ", " + c + "]");
                    sum += p[i];
                }
                assertEquals(1.0, sum, 1e-5, "row " + r);
            }
            assertArrayEquals(p, trainer.predictBatch(x, n));

            // A smaller batch binds another executor; each sample's probabilities do not depend on the batch.
            float[] five = trainer.predictBatch(x, 5);
            for (int i = 0; i < 5 * CLASSES; i++) {
                assertEquals(p[i], five[i], 1e-6, "probability " + i + " with batch 5");
            }
        }
    }

    private static float[] download(org.convnet4j.tensor.Tensor t) {
        float[] v = new float[Math.toIntExact(t.size())];
        backend.download(t, v);
        return v;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
