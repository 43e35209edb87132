package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.ActivationFn;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.TestModels;
import org.convnet4j.graph.Weights;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.ops.Adam;
import org.convnet4j.ops.SgdMomentum;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A NaN or infinite loss stops training with NonFiniteLossException naming the step (the optimizer's
 * iteration it would have been), before any update: the trainable weights and the iteration count stay
 * those of the last good step.
 */
class NonFiniteLossTest {
    private static final int BATCH = 8;

    private static Backend backend;
    private static SyntheticImages data;

    @BeforeAll
    static void open() {
        backend = Backends.create("cpu");
        data = SyntheticImages.make(BATCH * 4, 10, 9);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /**
     * A non-finite weight (as a diverging run produces) makes the loss NaN: the step stops with
     * NonFiniteLossException naming it, before the optimizer touches any weight, and training can go on
     * once the weight is repaired.
     */
    @Test
    void aNanThatReachesTheLossStopsTheStepAndNamesIt() {
        Node in = Input.image(28, 28, 1);
        Node out = new Dense(10).activation(ActivationFn.SOFTMAX).apply(new Flatten().apply(in));
        Model m = Model.of("linear", in, out);
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer trainer = new Trainer(m, backend, w, adam)) {
            w.initialize(1);
            trainThree(trainer);
            ParamRef bias = m.params().get(1);
            float[] goodBias = w.read(bias);
            float[] poisoned = goodBias.clone();
            poisoned[3] = Float.NaN;
            w.write(bias, poisoned);
            List<float[]> before = trainable(w);
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                    () -> trainer.trainBatch(data.images(0, BATCH), data.labels(0, BATCH), BATCH));
            assertEquals(4, e.step());
            assertTrue(e.getMessage().contains("at step 4"), e.getMessage());
            assertEquals(3, trainer.optimizer().iterations());
            assertUnchanged(m, before, trainable(w));
            // With the weight repaired, the next batch trains on as step 4.
            w.write(bias, goodBias);
            assertTrue(Double.isFinite(trainer.trainBatch(data.images(0, BATCH), data.labels(0, BATCH), BATCH).loss()));
            assertEquals(4, trainer.optimizer().iterations());
        }
    }

    /**
     * LeNet-5 fed one NaN pixel. oneDNN's relu maps NaN to 0, so the loss would stay finite while the
     * first convolution's filter gradient (a correlation with the NaN input) would be NaN and Adam would
     * write it into every weight of conv2d/kernel. The trainer refuses the batch before the step instead:
     * an IllegalArgumentException naming the image, and every weight and the step count untouched.
     */
    @Test
    void aNanPixelInLenetIsRefusedBeforeItPoisonsTheWeights() {
        Model m = TestModels.lenet5(10);
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer trainer = new Trainer(m, backend, w, adam)) {
            w.initialize(1);
            trainThree(trainer);
            List<float[]> good = trainable(w);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer.trainBatch(withNan(), data.labels(0, BATCH), BATCH));
            assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
            for (ParamRef p : m.params()) {
                int nan = 0;
                for (float v : w.read(p)) {
                    nan += Float.isFinite(v) ? 0 : 1;
                }
                assertEquals(0, nan, "a refused NaN batch left " + nan + " non-finite values in " + p.key());
            }
            assertEquals(3, trainer.optimizer().iterations());
            assertUnchanged(m, good, trainable(w));
        }
    }

    /** SGD with lr 1e12: the first step throws the weights to ~1e10, and within a few steps the logits overflow. */
    @Test
    void aHugeLearningRateEndsInNonFiniteLossAtTheStepItHappens() {
        Model m = TestModels.lenet5(10);
        try (Weights w = new Weights(m, backend);
             Optimizer sgd = Optimizer.sgd(m, backend, new SgdMomentum(1e12f, 0f));
             Trainer trainer = new Trainer(m, backend, w, sgd)) {
            w.initialize(1);
            for (int step = 0; step < 10; step++) {
                try {
                    trainer.trainBatch(data.images(step * BATCH, BATCH), data.labels(step * BATCH, BATCH), BATCH);
                } catch (NonFiniteLossException e) {
                    assertTrue(step >= 1, "the first step starts from Keras' initial weights and must be finite");
                    assertEquals(step + 1, e.step());
                    assertEquals(step, trainer.optimizer().iterations());
                    assertTrue(e.getMessage().contains("at step " + (step + 1)), e.getMessage());
                    return;
                }
            }
            fail("10 steps with lr 1e12 kept a finite loss");
        }
    }

    private static void trainThree(Trainer trainer) {
        for (int step = 0; step < 3; step++) {
            trainer.trainBatch(data.images(step * BATCH, BATCH), data.labels(step * BATCH, BATCH), BATCH);
        }
    }

    /** The first batch with one NaN pixel in sample 5. */
    private static float[] withNan() {
        float[] images = data.images(0, BATCH);
        images[5 * SyntheticImages.PIXELS + 300] = Float.NaN;
        return images;
    }

    private static void assertUnchanged(Model m, List<float[]> before, List<float[]> after) {
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(before.get(i), after.get(i), "trainable tensor " + i + " changed by the failed step");
        }
    }

    private static List<float[]> trainable(Weights w) {
        List<float[]> out = new ArrayList<>();
        for (ParamRef p : w.model().params()) {
            if (p.spec().trainable()) {
                out.add(w.read(p));
            }
        }
        return out;
    }
}
