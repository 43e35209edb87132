package org.convnet4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.ExecutionPlan;
import org.convnet4j.graph.Executor;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
import org.convnet4j.onnx.OnnxExport;
import org.convnet4j.train.Predictor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every zoo model exported to ONNX and run by ONNX Runtime: each output (GoogLeNet's auxiliary heads
 * too) agrees with our unfused inference pass, and the main one with our frozen Predictor, within 1e-5
 * in absolute probability, on random images. Keras' initial weights with random batch-norm parameters
 * and statistics. Inputs are reduced where the full size is slow on two cores (every layer and every
 * padding rule is the same at any size; only the spatial sizes shrink) and the test checks the
 * probabilities are not saturated, so that agreement at 1e-5 says something about the logits.
 */
class ZooOnnxTest {
    static final int BATCH = 2;
    static final double TOLERANCE = 1e-5;
    static Backend backend;

    @BeforeAll
    static void open() {
        backend = Backends.create("cpu");
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("lenet5", new InputSize(28, 28, 1), 10),
                Arguments.of("alexnet", new InputSize(67, 67, 3), 5),
                Arguments.of("alexnet8", new InputSize(32, 32, 3), 10),
                Arguments.of("vgg16", new InputSize(32, 32, 3), 5),
                Arguments.of("vgg16-cifar", new InputSize(32, 32, 3), 10),
                Arguments.of("googlenet", new InputSize(112, 112, 3), 5),
                Arguments.of("resnet50", new InputSize(64, 64, 3), 5),
                Arguments.of("inception-v3", new InputSize(75, 75, 3), 5));
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("models")
    void onnxRuntimeAgreesWithOurPredictions(String name, InputSize size, int classes) {
        Model m = Zoo.get(name).build(size, classes, 0);
        try (Weights w = new Weights(m, backend)) {
            randomize(m, w, 21);
            float[] x = images(BATCH * size.channels() * size.height() * size.width(), 5);
            spread(m, w, x);
            byte[] onnx = OnnxExport.toBytes(m, w);
            Map<String, float[]> ort = OrtRunner.run(onnx, m.input().layer().name(), x,
                    BATCH, size.channels(), size.height(), size.width());
            List<String> names = new ArrayList<>();
            m.outputs().forEach(o -> names.add(o.layer().name()));
            assertEquals(names, new ArrayList<>(ort.keySet()), name + ": the outputs, main first");
            List<float[]> ours = predictAll(m, w, x);
            StringBuilder report = new StringBuilder(name);
            for (int i = 0; i < names.size(); i++) {
                float[] theirs = ort.get(names.get(i));
                double d = assertClose(name + " " + names.get(i), ours.get(i), theirs);
                report.append(String.format("  %s: max |diff| %.2e, max p %.3f", names.get(i), d, max(theirs)));
                assertTrue(max(theirs) > 1.5 / classes && max(theirs) < 0.999, name + " " + names.get(i)
                        + ": probabilities too flat or saturated to test the logits (max " + max(theirs) + ")");
            }
            try (Predictor p = new Predictor(m, w, BATCH)) {
                assertClose(name + " Predictor", p.predict(x, BATCH), ort.get(names.get(0)));
            }
            System.out.println(report);
        }
    }

    /** Keras' initial weights; batch-norm gamma, beta and moving statistics random, near their defaults. */
    static void randomize(Model m, Weights w, long seed) {
        w.initialize(seed);
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (ParamRef p : m.params()) {
            String n = p.spec().name();
            if (!List.of("gamma", "beta", "moving_mean", "moving_variance").contains(n)) {
                continue;
            }
            float[] v = w.read(p);
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (n) {
                    case "gamma" -> (float) (0.8 + 0.4 * r.nextDouble());
                    case "beta", "moving_mean" -> (float) (0.2 * (r.nextDouble() - 0.5));
                    default -> (float) (0.8 + 0.4 * r.nextDouble());
                };
            }
            w.write(p, v);
        }
    }

    /**
     * Scales each output layer's kernel and bias so that its logits have a standard deviation of 2 on
     * these images: glorot-initialized outputs give near-uniform probabilities, which would hide logit
     * errors from a comparison of probabilities.
     */
    static void spread(Model m, Weights w, float[] x) {
        List<float[]> logits = logits(m, w, x);
        for (int i = 0; i < m.outputs().size(); i++) {
            double mean = 0;
            double sq = 0;
            for (float v : logits.get(i)) {
                mean += v;
                sq += (double) v * v;
            }
            mean /= logits.get(i).length;
            double std = Math.sqrt(Math.max(sq / logits.get(i).length - mean * mean, 1e-30));
            for (ParamRef p : m.params()) {
                if (p.node() == m.outputs().get(i)) {
                    float[] v = w.read(p);
                    for (int j = 0; j < v.length; j++) {
                        v[j] *= (float) (2 / std);
                    }
                    w.write(p, v);
                }
            }
        }
    }

    static float[] images(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble();
        }
        return a;
    }

    /** Probabilities of every output from an unfused inference pass. */
    static List<float[]> predictAll(Model m, Weights w, float[] x) {
        List<float[]> out = new ArrayList<>();
        for (float[] l : logits(m, w, x)) {
            out.add(softmax(l, BATCH));
        }
        return out;
    }

    static List<float[]> logits(Model m, Weights w, float[] x) {
        List<float[]> out = new ArrayList<>();
        try (Executor ex = new Executor(ExecutionPlan.inference(m, BATCH), w, null)) {
            backend.upload(x, ex.input());
            ex.forward(false, 0);
            for (int i = 0; i < m.outputs().size(); i++) {
                float[] logits = new float[Math.toIntExact(ex.logits(i).shape().size())];
                backend.download(ex.logits(i), logits);
                out.add(logits);
            }
        }
        return out;
    }

    static float[] softmax(float[] logits, int rows) {
        int k = logits.length / rows;
        float[] p = new float[logits.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, logits[r * k + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(logits[r * k + j] - max);
            }
            for (int j = 0; j < k; j++) {
                p[r * k + j] = (float) (Math.exp(logits[r * k + j] - max) / sum);
            }
        }
        return p;
    }

    static double assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= TOLERANCE)) {
                throw new AssertionError(what + ": probability " + i + " is " + actual[i] + " in ONNX Runtime and "
                        + expected[i] + " here (tolerance " + TOLERANCE + ")");
            }
            worst = Math.max(worst, d);
        }
        return worst;
    }

    static float max(float[] v) {
        float m = 0;
        for (float f : v) {
            m = Math.max(m, f);
        }
        return m;
    }
}
