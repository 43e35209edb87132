package org.convnet4j.train;

import static org.convnet4j.graph.ActivationFn.RELU;
import static org.convnet4j.graph.ActivationFn.SOFTMAX;
import static org.convnet4j.ops.Padding.SAME;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.BackendCases;
import org.convnet4j.graph.Executor;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.Add;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.GlobalAveragePooling2D;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.ops.Adam;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The frozen inference path ({@link Predictor}, {@link Executor#frozen}) against the unfused one
 * ({@link Trainer#predictBatch}) on a model with every chain the fusion knows (conv-bn-relu, a
 * projection conv-bn, conv-bn-add-relu with a projected and with an identity shortcut, written over
 * it in place, a batch norm without gamma, a conv with its own relu) and one it must leave alone (a
 * batch norm read by two layers). Batch-norm parameters and moving statistics are random, so the
 * folding is exercised; the two paths must agree to float rounding.
 */
class PredictorTest {
    static final int SIDE = 12;
    static final int CLASSES = 5;

    static Model model() {
        Node in = Input.image(SIDE, SIDE, 3);
        Node x = new Conv2D(16, 3).padding(SAME).name("stem").apply(in);
        x = new BatchNormalization().name("stem_bn").apply(x);
        x = new Activation(RELU).name("stem_relu").apply(x);
        Node shortcut = new Conv2D(32, 1).stride(2).name("proj").apply(x);
        shortcut = new BatchNormalization().name("proj_bn").apply(shortcut);
        Node y = new Conv2D(16, 1).stride(2).name("a1").apply(x);
        y = new BatchNormalization().name("a1_bn").apply(y);
        y = new Activation(RELU).name("a1_relu").apply(y);
        y = new Conv2D(32, 3).padding(SAME).name("a2").apply(y);
        y = new BatchNormalization().name("a2_bn").apply(y);
        y = new Add().name("a_add").apply(shortcut, y);
        Node block = new Activation(RELU).name("a_out").apply(y);
        y = new Conv2D(16, 1).name("b1").apply(block);
        y = new BatchNormalization().name("b1_bn").apply(y);
        y = new Activation(RELU).name("b1_relu").apply(y);
        y = new Conv2D(32, 3).padding(SAME).name("b2").apply(y);
        y = new BatchNormalization().scale(false).name("b2_bn").apply(y);
        y = new Add().name("b_add").apply(block, y);
        y = new Activation(RELU).name("b_out").apply(y);
        y = new Conv2D(16, 3).activation(RELU).name("c").apply(y);
        Node shared = new BatchNormalization().name("shared_bn").apply(new Conv2D(16, 1).name("d").apply(y));
        Node p1 = new GlobalAveragePooling2D().name("gap1").apply(shared);
        Node p2 = new GlobalAveragePooling2D().name("gap2").apply(new Activation(RELU).name("d_relu").apply(shared));
        Node sum = new Add().name("pools").apply(p1, p2);
        return Model.of("fusions", in, new Dense(CLASSES).activation(SOFTMAX).name("out").apply(sum));
    }

    /** Keras' initial weights, then every batch-norm parameter and moving statistic random. */
    static void randomize(Model m, Weights w, long seed) {
        w.initialize(seed);
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (ParamRef p : m.params()) {
            float[] v = w.read(p);
            String n = p.spec().name();
            for (int i = 0; i < v.length; i++) {
                switch (n) {
                    case "gamma" -> v[i] = (float) (0.5 + r.nextDouble());
                    case "beta", "moving_mean" -> v[i] = (float) (r.nextDouble() - 0.5);
                    case "moving_variance" -> v[i] = (float) (0.2 + r.nextDouble());
                    case "bias" -> v[i] = (float) (0.2 * (r.nextDouble() - 0.5));
                    default -> { }
                }
            }
            w.write(p, v);
        }
    }

    static float[] images(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[count * 3 * SIDE * SIDE];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble();
        }
        return a;
    }

    static void assertNear(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-5, what + ": probability " + i);
        }
    }

    /**
     * A bf16 predictor (BF16 activations, BN folded in FP32 then the weights rounded to BF16) against
     * the FP32 unfused predictions of the same weights: every chain of the model (residual adds, a
     * shared BN, a plain conv) runs fused as in fp32; probabilities within 0.03 (bf16 keeps 8 bits, and
     * rounding errors of about 2^-9 relative per layer compound over the model's six convolutions and
     * the softmax's exponential), and the same top class wherever fp32's top two are 0.05 apart.
     */
    @org.junit.jupiter.api.Test
    void bf16FrozenPredictionsAreCloseToFp32() {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.convnet4j.backend.cpu.CpuBackend.nativeBf16(),
                "[cpu] no native bfloat16 here: the bf16 predictor is not exercised");
        Model m = model();
        try (Backend be = BackendCases.open("cpu"); Weights w = new Weights(m, be);
             Optimizer adam = Optimizer.adam(m, be, Adam.keras()); Trainer t = new Trainer(m, be, w, adam)) {
            randomize(m, w, 12);
            float[] x = images(8, 6);
            float[] fp32 = t.predictBatch(x, 8);
            try (Predictor q = new Predictor(m, w, 8, org.convnet4j.graph.Precision.BF16)) {
                assertEquals(List.of("stem+stem_bn+stem_relu", "proj+proj_bn", "a1+a1_bn+a1_relu",
                        "a2+a2_bn+a_add+a_out", "b1+b1_bn+b1_relu", "b2+b2_bn+b_add+b_out", "c(relu)", "d+shared_bn"),
                        q.fusedChains());
                float[] bf16 = q.predict(x, 8);
                int k = m.classes();
                double worst = 0;
                for (int i = 0; i < fp32.length; i++) {
                    worst = Math.max(worst, Math.abs(fp32[i] - bf16[i]));
                }
                assertTrue(worst <= 0.03, "largest probability difference " + worst);
                assertTrue(worst > 0, "bf16 must round somewhere: identical probabilities mean it ran in fp32");
                for (int r = 0; r < 8; r++) {
                    int a = argmax(fp32, r * k, k);
                    float second = 0;
                    for (int c = 0; c < k; c++) {
                        second = c == a ? second : Math.max(second, fp32[r * k + c]);
                    }
                    if (fp32[r * k + a] - second > 0.05) {
                        assertEquals(a, argmax(bf16, r * k, k), "top class of image " + r);
                    }
                }
            }
        }
    }

    /**
     * The int8 predictor: calibration records every frozen chain's input range (the stem's is the
     * images' own, and the zeros padding a short last batch are not counted), the same chains run
     * fused, and probabilities stay within 0.05 of fp32 (8-bit inputs and weights, about 2^-8 relative
     * per layer like bf16, over six convolutions and the softmax), with the same top class wherever
     * fp32's top two are 0.1 apart. A CUDA backend refuses.
     */
    @org.junit.jupiter.api.Test
    void int8FrozenPredictionsAreCloseToFp32() throws java.io.IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.convnet4j.backend.cpu.CpuBackend.nativeInt8(),
                "[cpu] no VNNI here: the int8 predictor is not exercised");
        Model m = model();
        try (Backend be = BackendCases.open("cpu"); Weights w = new Weights(m, be);
             Optimizer adam = Optimizer.adam(m, be, Adam.keras()); Trainer t = new Trainer(m, be, w, adam)) {
            randomize(m, w, 12);
            float[] calib = images(20, 7);
            for (int i = 0; i < calib.length; i++) {
                calib[i] = 0.25f + 0.5f * calib[i];
            }
            org.convnet4j.graph.Int8Calibration c = org.convnet4j.graph.Int8Calibration.calibrate(m, w, calib, 20);
            assertEquals(List.of("stem", "proj", "a1", "a2", "b1", "b2", "c", "d", "out"), List.copyOf(c.ranges().keySet()));
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : calib) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertEquals(new org.convnet4j.backend.Int8Range(min, max), c.range("stem"),
                    "the stem's range is the images' (the short batch's zero padding not counted)");
            assertTrue(c.range("a1").unsigned(), "a1 reads a relu's output: u8");
            float[] x = images(8, 6);
            float[] fp32 = t.predictBatch(x, 8);
            try (Predictor q = new Predictor(m, w, 8, c)) {
                assertEquals(List.of("stem+stem_bn+stem_relu", "proj+proj_bn", "a1+a1_bn+a1_relu",
                        "a2+a2_bn+a_add+a_out", "b1+b1_bn+b1_relu", "b2+b2_bn+b_add+b_out", "c(relu)", "d+shared_bn"),
                        q.fusedChains());
                float[] int8 = q.predict(x, 8);
                int k = m.classes();
                double worst = 0;
                for (int i = 0; i < fp32.length; i++) {
                    worst = Math.max(worst, Math.abs(fp32[i] - int8[i]));
                }
                assertTrue(worst <= 0.05, "largest probability difference " + worst);
                assertTrue(worst > 0, "int8 must round somewhere: identical probabilities mean it ran in fp32");
                for (int r = 0; r < 8; r++) {
                    int a = argmax(fp32, r * k, k);
                    float second = 0;
                    for (int j = 0; j < k; j++) {
                        second = j == a ? second : Math.max(second, fp32[r * k + j]);
                    }
                    if (fp32[r * k + a] - second > 0.1) {
                        assertEquals(a, argmax(int8, r * k, k), "top class of image " + r);
                    }
                }
                assertArrayEquals(int8, q.predict(x, 8), "int8 predictions repeat bit for bit");
            }
            java.nio.file.Path file = java.nio.file.Files.createTempFile("calibration", ".int8");
            try {
                c.write(file);
                org.convnet4j.graph.Int8Calibration back = org.convnet4j.graph.Int8Calibration.read(file);
                assertEquals(c.ranges(), back.ranges(), "the ranges read back exactly");
                assertEquals(c.model(), back.model());
                assertEquals(20, back.images());
                java.nio.file.Files.writeString(file, "convnet4j-int8-calibration 1 fusions 20\nstem 0 1 2\n");
                IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                        () -> org.convnet4j.graph.Int8Calibration.read(file));
                assertTrue(bad.getMessage().contains(":2: expected 'LAYER MIN MAX'"), bad.getMessage());
                java.nio.file.Files.writeString(file, "something else\n");
                assertThrows(IllegalArgumentException.class, () -> org.convnet4j.graph.Int8Calibration.read(file));
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
            org.convnet4j.graph.Int8Calibration other = org.convnet4j.graph.Int8Calibration.of("other", c.ranges(), 20);
            assertThrows(IllegalArgumentException.class, () -> new Predictor(m, w, 8, other));
        }
    }

    /**
     * A prediction of fewer than {@link Predictor#SERIAL_BELOW_FLOPS} runs on one thread, restores the
     * caller's OpenMP limit after each call (also when it throws), and predicts what the unfused graph
     * does; a larger batch of the same model runs on every thread.
     */
    @org.junit.jupiter.api.Test
    void tinyPredictionsRunOnOneThreadAndLeaveTheCallersLimitAsItWas() {
        Model m = model();
        try (Backend be = BackendCases.open("cpu"); Weights w = new Weights(m, be);
             Optimizer adam = Optimizer.adam(m, be, Adam.keras()); Trainer t = new Trainer(m, be, w, adam)) {
            randomize(m, w, 12);
            assertTrue(Predictor.flops(m, 1) < Predictor.SERIAL_BELOW_FLOPS, "flops at batch 1: " + Predictor.flops(m, 1));
            int batch = (int) Math.ceil(Predictor.SERIAL_BELOW_FLOPS / Predictor.flops(m, 1)) + 1;
            int before = org.convnet4j.nativelib.OpenMp.callingThreadLimit();
            float[] x = images(1, 5);
            try (Predictor q = new Predictor(m, w, 1)) {
                assertEquals(before, org.convnet4j.nativelib.OpenMp.callingThreadLimit(), "after freezing");
                assertTrue(q.serial());
                assertNear("serial frozen vs unfused", t.predictBatch(x, 1), q.predict(x, 1));
                assertEquals(before, org.convnet4j.nativelib.OpenMp.callingThreadLimit(), "after a call");
                assertThrows(IllegalArgumentException.class, () -> q.predict(new float[3], 1));
                assertEquals(before, org.convnet4j.nativelib.OpenMp.callingThreadLimit(), "after a refused call");
            }
            try (Predictor q = new Predictor(m, w, batch)) {
                org.junit.jupiter.api.Assertions.assertFalse(q.serial(), "batch " + batch + ": "
                        + Predictor.flops(m, batch) + " flops");
            }
        }
    }

    private static int argmax(float[] p, int from, int k) {
        int best = 0;
        for (int c = 1; c < k; c++) {
            best = p[from + c] > p[from + best] ? c : best;
        }
        return best;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void frozenPredictionsEqualTheUnfusedOnes(String backendName) {
        Model m = model();
        try (Backend be = BackendCases.open(backendName); Weights w = new Weights(m, be);
             Optimizer adam = Optimizer.adam(m, be, Adam.keras()); Trainer t = new Trainer(m, be, w, adam)) {
            randomize(m, w, 12);
            try (Predictor q = new Predictor(m, w, 4)) {
                assertEquals(List.of("stem+stem_bn+stem_relu", "proj+proj_bn", "a1+a1_bn+a1_relu",
                        "a2+a2_bn+a_add+a_out", "b1+b1_bn+b1_relu", "b2+b2_bn+b_add+b_out", "c(relu)", "d+shared_bn"),
                        q.fusedChains());
                float[] x = images(4, 5);
                float[] live = t.predictBatch(x, 4);
                assertNear(backendName + " frozen vs unfused, batch 4", live, q.predict(x, 4));
                assertNear(backendName + " frozen vs unfused, 3 images padded to 4", t.predictBatch(x, 3),
                        q.predict(x, 3));
                assertNear(backendName + " frozen again: no state carried between calls", live, q.predict(x, 4));

                randomize(m, w, 13);
                float[] changed = t.predictBatch(x, 4);
                double moved = 0;
                for (int i = 0; i < live.length; i++) {
                    moved = Math.max(moved, Math.abs(changed[i] - live[i]));
                }
                assertTrue(moved > 1e-3, "new weights must change the unfused predictions (moved " + moved + ")");
                assertNear(backendName + " a snapshot: frozen before the weights changed", live, q.predict(x, 4));
                try (Predictor fresh = new Predictor(m, w, 4)) {
                    assertNear(backendName + " frozen after the change", changed, fresh.predict(x, 4));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void frozenExecutorPlansLessMemory(String backendName) {
        Model m = model();
        try (Backend be = BackendCases.open(backendName); Weights w = new Weights(m, be)) {
            w.initialize(1);
            try (Executor live = new Executor(m, w, null, 8); Executor frozen = Executor.frozen(m, w, 8)) {
                assertTrue(frozen.plannedBytes() < live.plannedBytes(), "absorbed nodes hold no buffer: frozen "
                        + frozen.plannedBytes() + " bytes vs " + live.plannedBytes());
                assertEquals(List.of(), live.fusedChains());
                assertThrows(IllegalStateException.class, () -> frozen.backward(1));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void weightsMayBeClosedOnceFrozen(String backendName) {
        Model m = model();
        float[] x = images(2, 9);
        try (Backend be = BackendCases.open(backendName)) {
            float[] expected;
            Predictor p;
            try (Weights w = new Weights(m, be); Optimizer adam = Optimizer.adam(m, be, Adam.keras());
                 Trainer t = new Trainer(m, be, w, adam)) {
                randomize(m, w, 21);
                expected = t.predictBatch(x, 2);
                p = new Predictor(m, w, 2);
            }
            try (p) {
                assertNear(backendName + " after the weights were closed", expected, p.predict(x, 2));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void badInput(String backendName) {
        Model m = model();
        Model other = model();
        try (Backend be = BackendCases.open(backendName); Weights w = new Weights(m, be);
             Weights wo = new Weights(other, be)) {
            w.initialize(1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Predictor(m, wo, 2));
            assertTrue(e.getMessage().contains("belong to model"), e.getMessage());
            try (Predictor p = new Predictor(m, w, 2)) {
                e = assertThrows(IllegalArgumentException.class, () -> p.predict(images(3, 1), 3));
                assertTrue(e.getMessage().contains("expected 1 to 2 images"), e.getMessage());
                float[] nan = images(1, 1);
                nan[7] = Float.NaN;
                e = assertThrows(IllegalArgumentException.class, () -> p.predict(nan, 1));
                assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> p.predict(new float[10], 1));
                assertTrue(e.getMessage().contains("expected 1 images of 432 values"), e.getMessage());
                assertArrayEquals(p.predict(images(2, 3), 2), p.predict(images(2, 3), 2));
            }
        }
    }
}
