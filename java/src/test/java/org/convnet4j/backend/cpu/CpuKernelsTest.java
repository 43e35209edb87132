package org.convnet4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.junit.jupiter.api.Test;

/**
 * The JNI surface of libconvnet4j.so: Philox known answers, the dropout mask's statistics,
 * determinism and counter layout (the contract the CUDA kernel shares), and each update against a
 * few lines of float64 Java. Native memory comes from JavaCPP pointers, freed by try-with-resources.
 */
class CpuKernelsTest {
    // Large enough that every loop also takes its OpenMP path (kernels.h: kParallelMin = 32768).
    private static final int BIG = 100_000;

    @Test
    void buildInfoNamesCompilerAndOpenMp() {
        String info = CpuKernels.buildInfo();
        assertTrue(info.contains("GNU") && info.contains("OpenMP"), info);
    }

    // ---- Philox4x32-10 known answers (Random123's kat_vectors)

    @Test
    void philoxZeroCounterZeroKey() {
        assertPhilox(new int[] {0, 0, 0, 0}, new int[] {0, 0},
                new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
    }

    @Test
    void philoxAllOnes() {
        assertPhilox(new int[] {-1, -1, -1, -1}, new int[] {-1, -1},
                new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
    }

    @Test
    void philoxPiDigits() {
        assertPhilox(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, new int[] {0xa4093822, 0x299f31d0},
                new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
    }

    private static void assertPhilox(int[] counter, int[] key, int[] expected) {
        int[] out = new int[4];
        CpuKernels.philox4x32(counter, key, out);
        assertArrayEquals(expected, out, () -> hex(expected) + " expected, got " + hex(out));
    }

    private static String hex(int[] a) {
        StringBuilder s = new StringBuilder();
        for (int v : a) {
            s.append(String.format("%08x ", v));
        }
        return s.toString().trim();
    }

    // ---- Dropout

    @Test
    void dropoutKeepsOneMinusRateAndScalesKeptValuesExactly() {
        int n = 1_000_000;
        float rate = 0.3f;
        float[] x = nonZero(n, 1);
        float[] y = dropout(x, rate, 1234567890123L, 7);
        float scale = 1f / (1f - rate);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (y[i] != 0f) {
                kept++;
                assertEquals(x[i] * scale, y[i], 0f, "kept element " + i);
            }
        }
        double keepFraction = kept / (double) n;
        assertEquals(1 - rate, keepFraction, 0.01 * (1 - rate), "keep fraction over " + n + " elements");
    }

    @Test
    void dropoutMaskDependsOnlyOnSeedAndStep() {
        int n = 50_001;
        float[] x = nonZero(n, 2);
        float[] first = dropout(x, 0.5f, 42, 3);
        assertArrayEquals(first, dropout(x, 0.5f, 42, 3), "same seed and step");
        double nextStep = differingFraction(first, dropout(x, 0.5f, 42, 4));
        double nextSeed = differingFraction(first, dropout(x, 0.5f, 43, 3));
        // Two independent masks with rate 0.5 disagree on half the elements.
        assertEquals(0.5, nextStep, 0.02, "fraction of the mask changed by the next step");
        assertEquals(0.5, nextSeed, 0.02, "fraction of the mask changed by the next seed");
    }

    @Test
    void dropoutInPlaceEqualsOutOfPlace() {
        int n = BIG + 3;
        float[] x = nonZero(n, 3);
        float[] expected = dropout(x, 0.2f, 5, 6);
        try (FloatPointer xy = new FloatPointer(x)) {
            CpuKernels.dropout(xy.address(), xy.address(), n, 0.2f, 5, 6);
            assertArrayEquals(expected, get(xy, n));
        }
    }

    /**
     * Element i keeps lane i&3 of philox(counter (i>>2, i>>34, step, step>>32), key (seed, seed>>32)),
     * kept iff (bits>>>8) * 2^-24 >= rate: the layout the CUDA kernel must reproduce. A step and a
     * seed with high bits set, and a length that ends in a partial group of four.
     */
    @Test
    void dropoutMaskFollowsThePhiloxCounterLayout() {
        int n = 4 * 1000 + 3;
        float rate = 0.4f;
        long seed = 0x0123_4567_89ab_cdefL;
        long step = 0x0000_0003_0000_0011L;
        float[] y = dropout(ones(n), rate, seed, step);
        int[] key = {(int) seed, (int) (seed >>> 32)};
        int[] bits = new int[4];
        for (int i = 0; i < n; i++) {
            if ((i & 3) == 0) {
                long group = i >>> 2;
                CpuKernels.philox4x32(new int[] {(int) group, (int) (group >>> 32), (int) step, (int) (step >>> 32)}, key,
                        bits);
            }
            boolean keep = (bits[i & 3] >>> 8) * 0x1p-24f >= rate;
            assertEquals(keep ? 1f / (1f - rate) : 0f, y[i], 0f, "element " + i);
        }
    }

    private static float[] dropout(float[] x, float rate, long seed, long step) {
        try (FloatPointer in = new FloatPointer(x); FloatPointer out = new FloatPointer(x.length)) {
            CpuKernels.dropout(in.address(), out.address(), x.length, rate, seed, step);
            return get(out, x.length);
        }
    }

    private static double differingFraction(float[] a, float[] b) {
        int differ = 0;
        for (int i = 0; i < a.length; i++) {
            if ((a[i] == 0f) != (b[i] == 0f)) {
                differ++;
            }
        }
        return differ / (double) a.length;
    }

    // ---- Optimizers, running statistics, ReLU mask, fill: against float64 Java

    @Test
    void adamMatchesFloat64() {
        adamAgainstFloat64(0f);
    }

    /** AdamW: the decoupled decay {@code p -= decay p} before the Adam step, over the OpenMP split too. */
    @Test
    void adamWMatchesFloat64() {
        adamAgainstFloat64(0.02f);
    }

    private static void adamAgainstFloat64(float decay) {
        float alpha = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-7f;
        float[] p = gaussian(BIG, 10), g = gaussian(BIG, 11), m = gaussian(BIG, 12), v = abs(gaussian(BIG, 13));
        try (FloatPointer pp = new FloatPointer(p); FloatPointer gp = new FloatPointer(g);
             FloatPointer mp = new FloatPointer(m); FloatPointer vp = new FloatPointer(v)) {
            CpuKernels.adam(pp.address(), gp.address(), mp.address(), vp.address(), BIG, alpha, b1, b2, eps, decay);
            float[] pOut = get(pp, BIG), mOut = get(mp, BIG), vOut = get(vp, BIG);
            for (int i = 0; i < BIG; i++) {
                double mi = b1 * (double) m[i] + (1 - (double) b1) * g[i];
                double vi = b2 * (double) v[i] + (1 - (double) b2) * g[i] * (double) g[i];
                double pi = p[i] - decay * (double) p[i] - alpha * mi / (Math.sqrt(vi) + eps);
                assertClose(mi, mOut[i], 1e-6, "m", i);
                assertClose(vi, vOut[i], 1e-6, "v", i);
                assertClose(pi, pOut[i], 1e-6, "param", i);
            }
        }
    }

    @Test
    void sgdMomentumMatchesFloat64() {
        float lr = 0.01f, momentum = 0.9f;
        float[] p = gaussian(BIG, 20), g = gaussian(BIG, 21), vel = gaussian(BIG, 22);
        try (FloatPointer pp = new FloatPointer(p); FloatPointer gp = new FloatPointer(g);
             FloatPointer vp = new FloatPointer(vel)) {
            CpuKernels.sgdMomentum(pp.address(), gp.address(), vp.address(), BIG, lr, momentum);
            float[] pOut = get(pp, BIG), velOut = get(vp, BIG);
            for (int i = 0; i < BIG; i++) {
                double v = momentum * (double) vel[i] - lr * (double) g[i];
                assertClose(v, velOut[i], 1e-6, "velocity", i);
                assertClose(p[i] + v, pOut[i], 1e-6, "param", i);
            }
        }
    }

    @Test
    void movingAverageMatchesFloat64() {
        float momentum = 0.99f;
        float[] moving = gaussian(BIG, 30), batch = gaussian(BIG, 31);
        try (FloatPointer mp = new FloatPointer(moving); FloatPointer bp = new FloatPointer(batch)) {
            CpuKernels.movingAverage(mp.address(), bp.address(), BIG, momentum);
            float[] out = get(mp, BIG);
            for (int i = 0; i < BIG; i++) {
                assertClose(moving[i] * (double) momentum + batch[i] * (1 - (double) momentum), out[i], 1e-6, "moving",
                        i);
            }
        }
    }

    @Test
    void reluBackwardMasksByOutputInPlace() {
        float[] y = gaussian(BIG, 40), dy = gaussian(BIG, 41);
        for (int i = 0; i < BIG; i += 7) {
            y[i] = 0f;  // exactly zero output: no gradient
        }
        try (FloatPointer yp = new FloatPointer(y); FloatPointer dp = new FloatPointer(dy)) {
            CpuKernels.reluBackward(yp.address(), dp.address(), dp.address(), BIG);
            float[] dx = get(dp, BIG);
            for (int i = 0; i < BIG; i++) {
                assertEquals(y[i] > 0 ? dy[i] : 0f, dx[i], 0f, "dx at " + i);
            }
        }
    }

    @Test
    void fillWritesEveryElement() {
        try (FloatPointer p = new FloatPointer(gaussian(BIG, 50))) {
            CpuKernels.fill(p.address(), BIG, -2.5f);
            float[] expected = new float[BIG];
            java.util.Arrays.fill(expected, -2.5f);
            assertArrayEquals(expected, get(p, BIG));
        }
    }

    // ---- Softmax cross-entropy and label validation

    @Test
    void firstBadLabelFindsTheFirstOutOfRange() {
        try (IntPointer labels = new IntPointer(new int[] {0, 9, 3, 10, -1})) {
            assertEquals(3, CpuKernels.firstBadLabel(labels.address(), 5, 10));
            assertEquals(-1, CpuKernels.firstBadLabel(labels.address(), 3, 10));
            assertEquals(4, CpuKernels.firstBadLabel(labels.address(), 5, 11));
        }
    }

    @Test
    void sparseSoftmaxCrossEntropyMatchesFloat64() {
        int n = 64, k = 1000;  // 64k logits: the row loop runs on OpenMP threads
        float weight = 0.3f;
        float[] logits = scaled(gaussian(n * k, 60), 4f);
        int[] labels = new Random(61).ints(n, 0, k).toArray();
        float[] onehot = new float[n * k];
        for (int r = 0; r < n; r++) {
            onehot[r * k + labels[r]] = 1f;
        }
        try (FloatPointer x = new FloatPointer(logits); IntPointer l = new IntPointer(labels);
             FloatPointer probs = new FloatPointer(n * k); FloatPointer dlogits = new FloatPointer(n * k)) {
            float loss = CpuKernels.softmaxCrossEntropy(x.address(), l.address(), true, n, k, weight, probs.address(),
                    dlogits.address());
            assertSoftmaxCrossEntropy(logits, onehot, n, k, weight, loss, get(probs, n * k), get(dlogits, n * k));
        }
    }

    @Test
    void oneHotSoftmaxCrossEntropyMatchesFloat64() {
        int n = 7, k = 13;
        float weight = 1f;
        float[] logits = scaled(gaussian(n * k, 70), 3f);
        float[] targets = new float[n * k];
        for (int r = 0; r < n; r++) {
            targets[r * k + (r * 5) % k] = 1f;
        }
        try (FloatPointer x = new FloatPointer(logits); FloatPointer t = new FloatPointer(targets);
             FloatPointer probs = new FloatPointer(n * k); FloatPointer dlogits = new FloatPointer(n * k)) {
            float loss = CpuKernels.softmaxCrossEntropy(x.address(), t.address(), false, n, k, weight, probs.address(),
                    dlogits.address());
            assertSoftmaxCrossEntropy(logits, targets, n, k, weight, loss, get(probs, n * k), get(dlogits, n * k));
            // Address 0 skips an output; the loss is the same.
            float lossOnly = CpuKernels.softmaxCrossEntropy(x.address(), t.address(), false, n, k, weight, 0, 0);
            assertEquals(loss, lossOnly, 0f);
        }
    }

    private static void assertSoftmaxCrossEntropy(float[] logits, float[] targets, int n, int k, float weight,
                                                  float loss, float[] probs, float[] dlogits) {
        double total = 0;
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, logits[r * k + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(logits[r * k + j] - max);
            }
            for (int j = 0; j < k; j++) {
                int i = r * k + j;
                double p = Math.exp(logits[i] - max) / sum;
                total -= targets[i] * (logits[i] - max - Math.log(sum));
                assertClose(p, probs[i], 1e-7, "probs", i);
                assertClose(weight * (p - targets[i]) / n, dlogits[i], 1e-7 * weight / n, "dlogits", i);
            }
        }
        assertClose(weight * total / n, loss, 0, "loss", 0);
    }

    // ---- Helpers

    // Float32 rounding of each term: relative to the value, plus a floor for results that cancel to near 0.
    private static void assertClose(double expected, float actual, double floor, String what, int index) {
        assertEquals(expected, actual, 1e-5 * Math.abs(expected) + floor, what + " at " + index);
    }

    private static float[] get(FloatPointer p, int n) {
        float[] a = new float[n];
        p.position(0).get(a);
        return a;
    }

    private static float[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    private static float[] nonZero(int n, long seed) {
        float[] a = gaussian(n, seed);
        for (int i = 0; i < n; i++) {
            a[i] = a[i] >= 0 ? a[i] + 0.5f : a[i] - 0.5f;
        }
        return a;
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    private static float[] abs(float[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.abs(a[i]);
        }
        return a;
    }

    private static float[] scaled(float[] a, float s) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= s;
        }
        return a;
    }
}
