package org.convnet4j.train;

import static org.convnet4j.graph.ActivationFn.RELU;
import static org.convnet4j.graph.ActivationFn.SOFTMAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.convnet4j.backend.Backends;
import org.convnet4j.backend.cpu.CpuBackend;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.Weights;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.graph.layers.MaxPooling2D;
import org.convnet4j.ops.Adam;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Keras' {@code layer.trainable = False}: frozen weights stay bit for bit, the optimizer holds no state
 * for them, a frozen batch norm runs in inference mode, gradients still pass through a frozen
 * convolution or batch norm to the layers before it, and summary() counts frozen parameters as non-trainable.
 */
class FreezeTest {
    private static final int CLASSES = 10;
    private static final int BATCH = 16;
    private static final int STEPS = 4;

    private static CpuBackend backend;
    private static SyntheticImages data;

    @BeforeAll
    static void open() {
        backend = (CpuBackend) Backends.create("cpu");
        data = SyntheticImages.make(BATCH * STEPS, CLASSES, 11);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** base_conv -> base_bn -> base_pool -> mid_conv -> flatten -> head_fc -> head_out. */
    static Model model() {
        Node in = Input.image(SyntheticImages.SIDE, SyntheticImages.SIDE, 1);
        Node x = new Conv2D(4, 3).activation(RELU).name("base_conv").apply(in);
        x = new BatchNormalization().name("base_bn").apply(x);
        x = new MaxPooling2D(2).name("base_pool").apply(x);
        x = new Conv2D(4, 3).activation(RELU).name("mid_conv").apply(x);
        x = new Flatten().name("flatten").apply(x);
        x = new Dense(16).activation(RELU).name("head_fc").apply(x);
        return Model.of("freeze", in, new Dense(CLASSES).activation(SOFTMAX).name("head_out").apply(x));
    }

    /** Every parameter's values by checkpoint key, before and after {@link #STEPS} Adam steps. */
    private static Map<String, float[][]> train(Model m, Precision precision, Optimizer[] keep) {
        Map<String, float[][]> values = new HashMap<>();
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer trainer = new Trainer(m, backend, w, adam, precision)) {
            w.initialize(5);
            shiftMovingStatistics(m, w);
            for (ParamRef p : m.params()) {
                values.put(p.key(), new float[][] {w.read(p), null});
            }
            for (int s = 0; s < STEPS; s++) {
                Trainer.BatchResult r = trainer.trainBatch(data.images(s * BATCH, BATCH), data.labels(s * BATCH, BATCH), BATCH);
                assertTrue(Double.isFinite(r.loss()));
            }
            for (ParamRef p : m.params()) {
                values.get(p.key())[1] = w.read(p);
                if (keep != null) {
                    // no optimizer state for frozen or non-trainable parameters, state for the rest
                    if (p.trainable()) {
                        assertNotNull(adam.firstMoment(p.index()), p.key());
                        assertNotNull(adam.secondMoment(p.index()), p.key());
                    } else {
                        assertNull(adam.firstMoment(p.index()), p.key());
                        assertNull(adam.secondMoment(p.index()), p.key());
                    }
                }
            }
        }
        return values;
    }

    /** Moving statistics away from 0 and 1, so that a frozen batch norm's output depends on them. */
    private static void shiftMovingStatistics(Model m, Weights w) {
        for (ParamRef p : m.params()) {
            if (p.spec().name().startsWith("moving_")) {
                float[] v = w.read(p);
                java.util.Arrays.fill(v, p.spec().name().equals("moving_mean") ? 0.2f : 0.5f);
                w.write(p, v);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP32", "BF16"}) // the CPU's precisions (fp16 is CUDA's)
    void frozenWeightsAreBitIdenticalAfterTraining(Precision precision) {
        if (precision == Precision.BF16) {
            assumeTrue(CpuBackend.nativeBf16(), "[cpu] no native bfloat16 here: bf16 freezing skipped");
        }
        Model m = model();
        assertEquals(List.of("base_conv", "base_bn", "base_pool"), m.trainable("base", false));
        Map<String, float[][]> v = train(m, precision, new Optimizer[0]);
        for (Map.Entry<String, float[][]> e : v.entrySet()) {
            if (e.getKey().startsWith("base")) {
                assertArrayEquals(e.getValue()[0], e.getValue()[1], precision + " " + e.getKey() + " moved while frozen");
            } else if (!e.getKey().contains("moving")) {
                assertFalse(java.util.Arrays.equals(e.getValue()[0], e.getValue()[1]), precision + " " + e.getKey() + " did not train");
            }
        }
    }

    /** Gradients pass through a frozen convolution: the trainable layers before it still learn. */
    @Test
    void aFrozenConvolutionPassesGradientsToTheLayersBeforeIt() {
        Model m = model();
        m.trainable("mid_conv", false);
        Map<String, float[][]> v = train(m, Precision.FP32, null);
        assertArrayEquals(v.get("mid_conv/kernel")[0], v.get("mid_conv/kernel")[1]);
        assertArrayEquals(v.get("mid_conv/bias")[0], v.get("mid_conv/bias")[1]);
        assertFalse(java.util.Arrays.equals(v.get("base_conv/kernel")[0], v.get("base_conv/kernel")[1]));
        assertFalse(java.util.Arrays.equals(v.get("base_bn/moving_mean")[0], v.get("base_bn/moving_mean")[1]),
                "a trainable batch norm updates its moving mean");
    }

    /**
     * A frozen batch norm normalizes with its moving statistics in training (Keras since 2.1): the
     * training step's loss is the evaluation's on the same weights and batch, to float rounding; with
     * the batch norm trainable (batch statistics) the two differ by far more.
     */
    @Test
    void aFrozenBatchNormRunsInInferenceMode() {
        assertTrue(lossGap(true) < 1e-5, "frozen: " + lossGap(true));
        assertTrue(lossGap(false) > 1e-3, "trainable: " + lossGap(false));
    }

    private static double lossGap(boolean freeze) {
        Model m = model();
        m.trainable("base", !freeze);
        m.trainable("mid", false); // nothing before head_fc trains, so a frozen base_bn needs no backward
        try (Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer trainer = new Trainer(m, backend, w, adam)) {
            w.initialize(5);
            shiftMovingStatistics(m, w);
            float[] images = data.images(0, BATCH);
            int[] labels = data.labels(0, BATCH);
            double evaluated = trainer.evaluateBatch(images, labels, BATCH).loss();
            double trained = trainer.trainBatch(images, labels, BATCH).loss();
            return Math.abs(trained - evaluated) / evaluated;
        }
    }

    /** A frozen batch norm between trainable layers passes gradients (inference mode's) and keeps its four vectors. */
    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP32", "BF16"}) // the CPU's precisions (fp16 is CUDA's)
    void aFrozenBatchNormBehindTrainableLayersPassesGradients(Precision precision) {
        if (precision == Precision.BF16) {
            assumeTrue(CpuBackend.nativeBf16(), "[cpu] no native bfloat16 here: bf16 freezing skipped");
        }
        Model m = model();
        m.trainable("base_bn", false);
        Map<String, float[][]> v = train(m, precision, null);
        for (String k : List.of("gamma", "beta", "moving_mean", "moving_variance")) {
            assertArrayEquals(v.get("base_bn/" + k)[0], v.get("base_bn/" + k)[1], k);
        }
        assertFalse(java.util.Arrays.equals(v.get("base_conv/kernel")[0], v.get("base_conv/kernel")[1]), precision.toString());
    }

    /** Keras' summary: the Param # column unchanged, the frozen layers' parameters counted as non-trainable. */
    @Test
    void summaryCountsFrozenParametersAsNonTrainable() {
        Model m = model();
        long total = m.totalParams();
        long movingStats = 2 * 4;
        assertEquals(movingStats, m.nonTrainableParams());
        m.trainable("base", false);
        long base = (4 * 9 + 4) + 4 * 4; // conv kernel + bias, batch norm's four vectors
        assertEquals(total, m.totalParams());
        assertEquals(base, m.nonTrainableParams());
        assertEquals(total - base, m.trainableParams());
        assertTrue(m.summary().contains(String.format(java.util.Locale.ROOT, "Non-trainable params: %,d", base)), m.summary());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.trainable("bsae", false));
        assertTrue(e.getMessage().contains("'bsae'"), e.getMessage());
    }
}
