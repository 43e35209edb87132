package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.BackendCases;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.TestModels;
import org.convnet4j.graph.Weights;
import org.convnet4j.memory.PoolStats;
import org.convnet4j.ops.Adam;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A training loop reaches a steady state after the first use of each batch size: executors are bound
 * once, every activation and gradient is placed by the static plan, and the pool serves whatever else
 * a step needs from its cache. So after two rounds of every call (a train step of the full and of the
 * smaller last batch, an evaluation of each, a prediction), 20 more rounds call the native allocator
 * no more and hold exactly as many bytes after every call. Two, because the first round binds the
 * executors one after the other: a step's transient scratch (a bf16 dense layer's rounded inputs)
 * first meets the blocks held by executors bound after it in the second. On CUDA the same holds for
 * cudaMalloc: the device pool.
 */
class SteadyStateTest {
    private static final int BATCH = 32;
    private static final int LAST = 7;

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void noNativeAllocationAndFlatInUseBytesAfterTheFirstStepOfEachBatchSize(String backendName) {
        check(backendName, Precision.FP32);
    }

    /** The same in bf16 (BF16 NHWC activations and gradients), where the CPU computes it natively. */
    @org.junit.jupiter.api.Test
    void inBf16Too() {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.convnet4j.backend.cpu.CpuBackend.nativeBf16(),
                "[cpu] no native bfloat16 here: the bf16 steady state is not exercised");
        check("cpu", Precision.BF16);
    }

    private static void check(String backendName, Precision precision) {
        SyntheticImages data = SyntheticImages.make(BATCH * 4, 10, 5);
        Model m = TestModels.lenet5WithBatchNormAndDropout(10, 0.5);
        try (Backend backend = BackendCases.open(backendName);
             Weights w = new Weights(m, backend);
             Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer trainer = new Trainer(m, backend, w, adam, precision)) {
            w.initialize(1);
            Runnable[] round = {
                () -> trainer.trainBatch(data.images(0, BATCH), data.labels(0, BATCH), BATCH),
                () -> trainer.evaluateBatch(data.images(BATCH, BATCH), data.labels(BATCH, BATCH), BATCH),
                () -> trainer.trainBatch(data.images(2 * BATCH, LAST), data.labels(2 * BATCH, LAST), LAST),
                () -> trainer.evaluateBatch(data.images(3 * BATCH, LAST), data.labels(3 * BATCH, LAST), LAST),
                () -> trainer.predictBatch(data.images(0, LAST), LAST),
            };
            String[] what = {"train 32", "evaluate 32", "train 7", "evaluate 7", "predict 7"};
            for (int warm = 0; warm < 2; warm++) {
                for (Runnable call : round) {
                    call.run();
                }
            }
            PoolStats steady = backend.pool().stats();
            for (int r = 0; r < 20; r++) {
                for (int k = 0; k < round.length; k++) {
                    round[k].run();
                    PoolStats now = backend.pool().stats();
                    String where = "round " + r + ", after " + what[k] + ": " + now + "; steady state was " + steady;
                    assertEquals(steady.nativeAllocations(), now.nativeAllocations(), where);
                    assertEquals(steady.inUseBytes(), now.inUseBytes(), where);
                    assertEquals(steady.reservedBytes(), now.reservedBytes(), where);
                }
            }
        }
    }
}
