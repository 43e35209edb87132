package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.BackendCases;
import org.convnet4j.data.Dataset;
import org.convnet4j.graph.ActivationFn;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.Weights;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.ops.Adam;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Precise batch norm sets the moving statistics to the population statistics of the images it saw:
 * with every full batch of a data set used, that is the data set's per-channel mean and biased
 * variance, computed here in float64 from the pixels directly.
 */
class PreciseBatchNormTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void movingStatisticsBecomeTheDataSetStatistics(String backendName) {
        int n = 64;
        int c = 3;
        int side = 5;
        byte[] pixels = new byte[n * c * side * side];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < pixels.length; i++) {
            int channel = i / (side * side) % c;
            pixels[i] = (byte) (40 * channel + rnd.nextInt(100 + 50 * channel)); // per-channel mean and spread differ
        }
        Dataset data = new Dataset(pixels, new int[n], c, side, side, List.of("a", "b"));
        Node in = Input.image(side, side, c);
        Node x = new BatchNormalization().apply(in);
        Model m = Model.of("bn", in, new Dense(2).activation(ActivationFn.SOFTMAX).apply(new Flatten().apply(x)));
        try (Backend backend = BackendCases.open(backendName); Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras()); Trainer t = new Trainer(m, backend, w, adam)) {
            w.initialize(1);
            assertEquals(4, PreciseBatchNorm.run(t, data, 16, 100, 7), "batches used: every full batch");
            float[] mean = w.read(m.params().get(2));
            float[] variance = w.read(m.params().get(3));
            for (int ch = 0; ch < c; ch++) {
                double s = 0;
                double s2 = 0;
                long count = 0;
                for (int img = 0; img < n; img++) {
                    for (int p = 0; p < side * side; p++) {
                        double v = (pixels[(img * c + ch) * side * side + p] & 0xff) / 255.0;
                        s += v;
                        s2 += v * v;
                        count++;
                    }
                }
                double mu = s / count;
                assertEquals(mu, mean[ch], 1e-5, "moving mean of channel " + ch);
                assertEquals(s2 / count - mu * mu, variance[ch], 1e-5, "moving variance of channel " + ch);
            }
        }
    }

    /** Without a trainer (the CLI's evaluate): an Evaluator's forward passes give the same statistics, bit for bit. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void anEvaluatorRecalibratesAsAFreshTrainerDoes(String backendName) {
        byte[] pixels = new byte[48 * 28 * 28];
        new SplittableRandom(9).nextBytes(pixels);
        Dataset d = new Dataset(pixels, new int[48], 1, 28, 28, List.of("a", "b", "c"));
        Model m = org.convnet4j.graph.TestModels.lenet5WithBatchNormAndDropout(3, 0.5);
        try (Backend backend = BackendCases.open(backendName); Weights a = new Weights(m, backend);
             Weights b = new Weights(m, backend); Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer t = new Trainer(m, backend, a, adam); Evaluator e = new Evaluator(m, b)) {
            a.initialize(5);
            b.initialize(5);
            assertEquals(PreciseBatchNorm.run(t, d, 16, 2, 11), PreciseBatchNorm.run(e, backend, d, 16, 2, 11, 1));
            for (var p : m.params()) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(a.read(p), b.read(p), p.toString());
            }
        }
    }
}
