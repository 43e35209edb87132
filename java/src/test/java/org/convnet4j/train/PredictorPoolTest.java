package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Weights;
import org.convnet4j.nativelib.OpenMp;
import org.junit.jupiter.api.Test;

/**
 * A pool of workers, each with its own backend, Predictor and share of the threads, answers
 * concurrent callers as one Predictor would: bit for bit when its workers run with the Predictor's
 * thread count, to float rounding with one thread each.
 */
class PredictorPoolTest {
    private static final int CLIENTS = 4;
    private static final int CALLS = 20;

    @Test
    void concurrentCallersGetWhatOnePredictorGives() throws Exception {
        Model m = PredictorTest.model();
        try (Backend b = Backends.create("cpu"); Weights w = new Weights(m, b)) {
            PredictorTest.randomize(m, w, 8);
            float[][] expected = new float[CLIENTS * CALLS][];
            try (Predictor p = new Predictor(m, w, 1)) {
                for (int k = 0; k < expected.length; k++) {
                    expected[k] = p.predict(image(m, k), 1);
                }
            }
            int threads = OpenMp.callingThreadLimit();
            try (PredictorPool same = new PredictorPool(m, w, 1, 2, threads)) {
                float[][] got = callConcurrently(same, m);
                for (int k = 0; k < got.length; k++) {
                    assertArrayEquals(expected[k], got[k], "image " + k + ", workers with " + threads + " threads");
                }
            }
            try (PredictorPool single = new PredictorPool(m, w, 1, 2, 1)) {
                float[][] got = callConcurrently(single, m);
                for (int k = 0; k < got.length; k++) {
                    for (int c = 0; c < got[k].length; c++) {
                        assertEquals(expected[k][c], got[k][c], 1e-6, "image " + k + ", class " + c + ", one thread each");
                    }
                }
            }
        }
    }

    @Test
    void aBadRequestFailsItsCallerAndTheWorkerGoesOn() {
        Model m = PredictorTest.model();
        try (Backend b = Backends.create("cpu"); Weights w = new Weights(m, b)) {
            PredictorTest.randomize(m, w, 9);
            PredictorPool pool = new PredictorPool(m, w, 1, 1, 1);
            float[] bad = image(m, 0);
            bad[3] = Float.NaN;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.predict(bad, 1));
            assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
            assertEquals(PredictorTest.CLASSES, pool.predict(image(m, 1), 1).length);
            pool.close();
            assertThrows(IllegalStateException.class, () -> pool.predict(image(m, 1), 1));
            assertThrows(IllegalArgumentException.class, () -> new PredictorPool(m, w, 1, 0, 1));
        }
    }

    private static float[][] callConcurrently(PredictorPool pool, Model m) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<float[][]>> futures = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++) {
                int client = t;
                futures.add(clients.submit(() -> {
                    float[][] out = new float[CALLS][];
                    for (int i = 0; i < CALLS; i++) {
                        out[i] = pool.predict(image(m, client * CALLS + i), 1);
                    }
                    return out;
                }));
            }
            float[][] all = new float[CLIENTS * CALLS][];
            for (int t = 0; t < CLIENTS; t++) {
                System.arraycopy(futures.get(t).get(), 0, all, t * CALLS, CALLS);
            }
            return all;
        } finally {
            clients.shutdownNow();
        }
    }

    private static float[] image(Model m, int k) {
        float[] x = new float[Math.toIntExact(m.input().batchShape(1).size())];
        SplittableRandom r = new SplittableRandom(500 + k);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }
}
