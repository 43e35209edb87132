package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.BackendCases;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.TestModels;
import org.convnet4j.graph.Weights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Inference from many threads at once gives, bit for bit, what one thread gives: N threads x M calls,
 * each call with its own images, compared with single-threaded predictions of the same images made
 * first. Three ways a service shares: a Predictor per thread over one backend and one set of weights;
 * one Predictor shared by every thread; and threads that each alternate between two models on one
 * backend.
 */
class ConcurrentInferenceTest {
    private static final int THREADS = 4;
    private static final int CALLS = 30;

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void aPredictorPerThreadOverOneBackendAgreesWithOneThread(String backendName) throws Exception {
        Model m = PredictorTest.model();
        try (Backend b = BackendCases.open(backendName); Weights w = new Weights(m, b)) {
            PredictorTest.randomize(m, w, 3);
            float[][] expected = reference(m, w);
            List<Predictor> predictors = new ArrayList<>();
            try {
                for (int t = 0; t < THREADS; t++) {
                    predictors.add(new Predictor(m, w, 1));
                }
                check(expected, t -> predictors.get(t), (t, i) -> i);
            } finally {
                predictors.forEach(Predictor::close);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void onePredictorSharedByEveryThreadAgreesWithOneThread(String backendName) throws Exception {
        Model m = PredictorTest.model();
        try (Backend b = BackendCases.open(backendName); Weights w = new Weights(m, b)) {
            PredictorTest.randomize(m, w, 4);
            float[][] expected = reference(m, w);
            try (Predictor shared = new Predictor(m, w, 1)) {
                check(expected, t -> shared, (t, i) -> i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void threadsAlternatingBetweenTwoModelsOnOneBackendAgreeWithOneThread(String backendName) throws Exception {
        Model a = PredictorTest.model();
        Model c = TestModels.lenet5WithBatchNormAndDropout(5, 0.5);
        try (Backend b = BackendCases.open(backendName); Weights wa = new Weights(a, b); Weights wc = new Weights(c, b)) {
            PredictorTest.randomize(a, wa, 5);
            wc.initialize(6);
            float[][] ea = reference(a, wa);
            float[][] ec = reference(c, wc);
            List<Predictor[]> perThread = new ArrayList<>();
            try {
                for (int t = 0; t < THREADS; t++) {
                    perThread.add(new Predictor[] {new Predictor(a, wa, 1), new Predictor(c, wc, 1)});
                }
                ExecutorService pool = Executors.newFixedThreadPool(THREADS);
                try {
                    List<Future<Integer>> wrong = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        Predictor[] ps = perThread.get(t);
                        int thread = t;
                        wrong.add(pool.submit(() -> {
                            int bad = 0;
                            for (int i = 0; i < CALLS; i++) {
                                int k = (thread * CALLS + i) % ea.length;
                                bad += mismatch(ea[k], ps[0].predict(input(a, k), 1));
                                bad += mismatch(ec[k], ps[1].predict(input(c, k), 1));
                            }
                            return bad;
                        }));
                    }
                    int bad = 0;
                    for (Future<Integer> f : wrong) {
                        bad += f.get();
                    }
                    assertEquals(0, bad, "predictions that differ from one thread's");
                } finally {
                    pool.shutdownNow();
                }
            } finally {
                perThread.forEach(ps -> {
                    ps[0].close();
                    ps[1].close();
                });
            }
        }
    }

    // ---- helpers

    /** Single-threaded predictions of THREADS * CALLS distinct images, made before any thread starts. */
    private static float[][] reference(Model m, Weights w) {
        float[][] out = new float[THREADS * CALLS][];
        try (Predictor p = new Predictor(m, w, 1)) {
            for (int k = 0; k < out.length; k++) {
                out[k] = p.predict(input(m, k), 1);
            }
        }
        return out;
    }

    /** Image k of model m's input shape, its own for every k. */
    private static float[] input(Model m, int k) {
        int per = Math.toIntExact(m.input().batchShape(1).size());
        float[] x = new float[per];
        java.util.SplittableRandom r = new java.util.SplittableRandom(1000 + k);
        for (int i = 0; i < per; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    @FunctionalInterface
    private interface CallIndex {
        int of(int thread, int call);
    }

    /** THREADS threads, each making CALLS predictions on its predictor; every result must be the reference's. */
    private static void check(float[][] expected, IntFunction<Predictor> predictorOf, CallIndex index) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<float[][]>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Predictor p = predictorOf.apply(t);
                results.add(pool.submit(() -> {
                    float[][] got = new float[CALLS][];
                    for (int i = 0; i < CALLS; i++) {
                        int k = thread * CALLS + index.of(thread, i);
                        got[i] = p.predict(input(p, k), 1);
                    }
                    return got;
                }));
            }
            int bad = 0;
            for (int t = 0; t < THREADS; t++) {
                float[][] got = results.get(t).get();
                for (int i = 0; i < CALLS; i++) {
                    bad += mismatch(expected[t * CALLS + i], got[i]);
                }
            }
            assertEquals(0, bad, "of " + THREADS * CALLS + " predictions, these differ from one thread's");
            float[][] first = results.get(0).get();
            assertArrayEquals(expected[0], first[0]);
        } finally {
            pool.shutdownNow();
        }
    }

    private static float[] input(Predictor p, int k) {
        return input(p.model(), k);
    }

    private static int mismatch(float[] expected, float[] got) {
        return java.util.Arrays.equals(expected, got) ? 0 : 1;
    }
}
