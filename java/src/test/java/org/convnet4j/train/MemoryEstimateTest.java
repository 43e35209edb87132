package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.BackendCases;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.TestModels;
import org.convnet4j.graph.Weights;
import org.convnet4j.memory.MemoryLimit;
import org.convnet4j.memory.PoolStats;
import org.convnet4j.ops.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The memory estimate against a trainer that has run every batch size of a fit (the full and the
 * last training batch, the full and the last validation batch): without layer state (plain LeNet-5)
 * the estimate less its margin is exactly what the pool holds in use; with batch norm and dropout it
 * is at most that; and all the pool reserved, transient scratch included, is within the estimate.
 */
class MemoryEstimateTest {
    private static final int BATCH = 32;
    private static final int LAST = 7;
    private static final int TRAIN = 2 * BATCH + LAST;
    private static final int VALIDATION = BATCH + LAST;

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void theEstimateLessItsMarginIsWhatATrainerHoldsAndTheMarginCoversTheRest(String backendName) {
        check(backendName, TestModels.lenet5(10), true);
        check(backendName, TestModels.lenet5WithBatchNormAndDropout(10, 0.5), false);
    }

    private static void check(String backendName, Model m, boolean exact) {
        SyntheticImages data = SyntheticImages.make(BATCH, 10, 5);
        try (Backend backend = BackendCases.open(backendName);
             Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer trainer = new Trainer(m, backend, w, adam)) {
            w.initialize(1);
            MemoryEstimate e = MemoryEstimate.fit(m, true, BATCH, TRAIN, VALIDATION, Precision.FP32,
                    backend.activationLayout(Precision.FP32));
            for (int n : new int[] {BATCH, LAST}) {
                trainer.trainBatch(data.images(0, n), data.labels(0, n), n);
                trainer.evaluateBatch(data.images(0, n), data.labels(0, n), n);
            }
            PoolStats s = backend.pool().stats();
            String what = m.name() + " on " + backendName + ": estimate " + e + ", pool " + s;
            if (exact) {
                assertEquals(e.total() - e.margin(), s.inUseBytes(), what);
            } else {
                assertTrue(e.total() - e.margin() <= s.inUseBytes(), what);
            }
            assertTrue(s.reservedBytes() <= e.total(), what);
        }
    }

    @Test
    void aBatchLargerThanTheDataSetIsTheDataSet() {
        Model m = TestModels.lenet5(10);
        assertEquals(MemoryEstimate.fit(m, true, TRAIN, TRAIN, VALIDATION),
                MemoryEstimate.fit(m, true, 100_000_000, TRAIN, VALIDATION));
        MemoryEstimate sgd = MemoryEstimate.fit(m, false, BATCH, TRAIN, VALIDATION);
        assertEquals(sgd.gradients(), sgd.optimizerState());
        assertTrue(MemoryEstimate.fit(m, true, BATCH, TRAIN, 0).executors() < sgd.executors());
    }

    @Test
    void theHostLimitIsJavaCppsOrTheMachinesAndSaysWhich() {
        MemoryLimit host = MemoryLimit.host();
        assertTrue(host.bytes() > 0 && host.bytes() < Long.MAX_VALUE, host.toString());
        assertTrue(host.source().contains("maxPhysicalBytes") || host.source().contains("available on this machine"),
                host.source());
    }

    @Test
    void bytesReadAsBinaryUnits() {
        assertEquals("512 B", MemoryLimit.format(512));
        assertEquals("1.5 KiB", MemoryLimit.format(1536));
        assertEquals("9.3 GiB", MemoryLimit.format(9_986_000_000L));
        assertEquals("200 MiB", MemoryLimit.format(200L << 20));
    }
}
