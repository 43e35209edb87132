package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.convnet4j.memory.MemoryPool;
import org.convnet4j.memory.PoolStats;
import org.convnet4j.ops.Adam;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.ops.GlobalAvgPool;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Size2;
import org.convnet4j.ops.SoftmaxCrossEntropy;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The caching allocator under a backend: a training loop that frees its temporaries every step reaches
 * a steady state after its first step (no native allocation, in-use bytes back to where they started,
 * a stable peak); a freed block is reused for an equal request; emptyCache gives cached blocks back;
 * closing a backend leaves nothing reserved once its last tensor is closed.
 */
class MemoryPoolTest extends BackendSuite {
    private static final int STEADY_STEPS = 20;

    /** A small network's parameters and Adam state, which live across steps. */
    private static final class Model implements AutoCloseable {
        final Conv2dOp conv = new Conv2dOp(Shape.nchw(2, 3, 9, 9), 8, Size2.of(3), Size2.of(1), Padding.SAME, true);
        final BatchNorm bn = BatchNorm.of(conv.outputShape());
        final GlobalAvgPool gap = new GlobalAvgPool(conv.outputShape());
        final DenseOp dense = DenseOp.of(gap.outputShape(), 5);
        final SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(dense.outputShape(), true);
        final Adam adam = Adam.keras();
        final TensorScope state;
        final Tensor x, labels, w, b, k, kb;
        final BatchNormParams bnParams;
        final Tensor[] params;
        final Tensor[] m;
        final Tensor[] v;

        Model(Backend backend) {
            state = new TensorScope(backend);
            SplittableRandom rnd = TestData.random("memory pool model");
            x = state.upload(conv.input(), TestData.uniform(rnd, conv.input(), -1, 1));
            labels = state.labels(new int[] {1, 4});
            w = state.upload(conv.weightShape(), TestData.uniform(rnd, conv.weightShape(), -0.5, 0.5));
            b = state.filled(conv.biasShape(), 0);
            bnParams = new BatchNormParams(state.filled(bn.paramShape(), 1), state.filled(bn.paramShape(), 0),
                    state.filled(bn.paramShape(), 0), state.filled(bn.paramShape(), 1));
            k = state.upload(dense.weightShape(), TestData.uniform(rnd, dense.weightShape(), -0.5, 0.5));
            kb = state.filled(dense.biasShape(), 0);
            params = new Tensor[] {w, b, bnParams.gamma(), bnParams.beta(), k, kb};
            m = new Tensor[params.length];
            v = new Tensor[params.length];
            for (int i = 0; i < params.length; i++) {
                m[i] = state.filled(params[i].shape(), 0);
                v[i] = state.filled(params[i].shape(), 0);
            }
        }

        /** One training step; every temporary is allocated here and closed before it returns. */
        float step(Backend be, long t) {
            try (TensorScope s = new TensorScope(be)) {
                Tensor y = s.output(conv.outputShape());
                be.conv2dForward(conv, x, w, b, y);
                Tensor z = s.output(bn.input());
                Tensor saved = s.output(bn.savedShape());
                be.batchNormForwardTraining(bn, y, bnParams, z, saved);
                be.reluForward(z, z);
                Tensor pooled = s.output(gap.outputShape());
                be.globalAvgPoolForward(gap, z, pooled);
                Tensor logits = s.output(dense.outputShape());
                be.denseForward(dense, pooled, k, kb, logits);
                Tensor probs = s.output(dense.outputShape());
                Tensor dlogits = s.output(dense.outputShape());
                float l = be.softmaxCrossEntropy(loss, logits, labels, 1f, probs, dlogits);

                Tensor[] grads = new Tensor[params.length];
                for (int i = 0; i < params.length; i++) {
                    grads[i] = s.output(params[i].shape());
                }
                Tensor dpooled = s.output(gap.outputShape());
                be.denseBackwardData(dense, dlogits, k, dpooled);
                be.denseBackwardWeights(dense, pooled, dlogits, grads[4], grads[5]);
                Tensor dz = s.output(bn.input());
                be.globalAvgPoolBackward(gap, dpooled, dz);
                be.reluBackward(z, dz, dz);
                Tensor dy = s.output(bn.input());
                be.batchNormBackward(bn, y, dz, bnParams, saved, dy, grads[2], grads[3]);
                Tensor dx = s.output(conv.input());
                be.conv2dBackwardData(conv, dy, w, dx);
                be.conv2dBackwardFilter(conv, x, dy, grads[0], grads[1]);
                for (int i = 0; i < params.length; i++) {
                    be.adamUpdate(adam, t, params[i], grads[i], m[i], v[i]);
                }
                be.synchronize();
                return l;
            }
        }

        @Override
        public void close() {
            state.close();
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void trainingLoopReachesASteadyStateAfterOneStep(String backend) {
        Backend be = backend(backend);
        MemoryPool pool = be.pool();
        try (Model model = new Model(be)) {
            long baseline = pool.stats().inUseBytes();
            pool.resetPeak();
            float first = model.step(be, 1);
            PoolStats afterFirst = pool.stats();
            assertEquals(baseline, afterFirst.inUseBytes(), "in-use bytes after step 1 (" + afterFirst + ")");
            float last = first;
            for (int t = 2; t <= STEADY_STEPS + 1; t++) {
                last = model.step(be, t);
                PoolStats now = pool.stats();
                String at = "after step " + t + " (" + now + "; after step 1: " + afterFirst + ")";
                assertEquals(afterFirst.nativeAllocations(), now.nativeAllocations(), "native allocations " + at);
                assertEquals(baseline, now.inUseBytes(), "in-use bytes " + at);
                assertEquals(afterFirst.peakInUseBytes(), now.peakInUseBytes(), "peak in-use bytes " + at);
                assertEquals(afterFirst.reservedBytes(), now.reservedBytes(), "reserved bytes " + at);
            }
            assertTrue(Float.isFinite(last) && last < first,
                    "the loop should train: loss " + first + " at step 1, " + last + " at step " + (STEADY_STEPS + 1));
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void freedBlockIsReusedForAnEqualRequest(String backend) {
        Backend be = backend(backend);
        MemoryPool pool = be.pool();
        pool.emptyCache();
        PoolStats start = pool.stats();
        for (long elements : new long[] {1000, 300_000}) {
            Tensor first = be.allocate(Shape.of(elements));
            long address = first.address();
            first.close();
            PoolStats afterFirst = pool.stats();
            assertEquals(start.inUseBytes(), afterFirst.inUseBytes(), "in-use bytes after closing " + first);
            try (Tensor again = be.allocate(Shape.of(elements))) {
                assertEquals(address, again.address(), "an equal request should get the freed block back: " + again);
                assertEquals(afterFirst.nativeAllocations(), pool.stats().nativeAllocations(),
                        "native allocations for a request the cache could serve: " + again);
            }
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void aLargerRequestIsNotServedFromASmallBlock(String backend) {
        Backend be = backend(backend);
        MemoryPool pool = be.pool();
        pool.emptyCache();
        be.allocate(Shape.of(1000)).close();
        long before = pool.stats().nativeAllocations();
        try (Tensor big = be.allocate(Shape.of(100_000))) {
            assertEquals(before + 1, pool.stats().nativeAllocations(), "a 400 kB request after only a 4 kB free block");
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void emptyCacheFreesCachedBlocksOnly(String backend) {
        Backend be = backend(backend);
        MemoryPool pool = be.pool();
        try (TensorScope s = scope(backend)) {
            double[] data = TestData.uniform(TestData.random("live"), Shape.of(333), -1, 1);
            Tensor live = s.upload(Shape.of(333), data);
            be.allocate(Shape.of(2000)).close();
            be.allocate(Shape.of(50_000)).close();
            PoolStats before = pool.stats();
            assertTrue(before.reservedBytes() > before.inUseBytes(), "two closed blocks should be cached: " + before);
            pool.emptyCache();
            PoolStats after = pool.stats();
            assertEquals(after.inUseBytes(), after.reservedBytes(), "reserved after emptyCache: " + after);
            assertEquals(before.inUseBytes(), after.inUseBytes(), "in-use bytes across emptyCache");
            assertTrue(after.nativeFrees() >= before.nativeFrees() + 2, "native frees: " + before + " -> " + after);
            assertTrue(live.isLive(), "emptyCache released a live tensor");
            Compare.assertClose("a live tensor across emptyCache", live.shape(), data, s.download(live), Tolerance.EXACT);
            be.allocate(Shape.of(2000)).close();
            assertEquals(after.nativeAllocations() + 1, pool.stats().nativeAllocations(),
                    "after emptyCache a request must go to the native allocator");
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void closingTwiceReturnsTheBlockOnce(String backend) {
        Backend be = backend(backend);
        MemoryPool pool = be.pool();
        long inUse = pool.stats().inUseBytes();
        Tensor t = be.allocate(Shape.of(777));
        t.close();
        t.close();
        assertEquals(inUse, pool.stats().inUseBytes(), "in-use bytes after closing a tensor twice");
        assertFalse(t.isLive(), "a closed tensor reports live");
        assertThrows(IllegalStateException.class, t::address, "the address of a closed tensor");
        try (Tensor a = be.allocate(Shape.of(777)); Tensor b = be.allocate(Shape.of(777))) {
            assertNotEquals(a.address(), b.address(), "a double close must not put one block in the cache twice");
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void blocksAreAlignedAndPeakIsTracked(String backend) {
        Backend be = backend(backend);
        MemoryPool pool = be.pool();
        pool.resetPeak();
        long start = pool.stats().inUseBytes();
        try (Tensor a = be.allocate(Shape.of(3)); Tensor b = be.allocate(Shape.of(10_001))) {
            assertEquals(0, a.address() % MemoryPool.ALIGNMENT, "alignment of " + a);
            assertEquals(0, b.address() % MemoryPool.ALIGNMENT, "alignment of " + b);
            assertTrue(pool.stats().peakInUseBytes() >= start + a.bytes() + b.bytes(), "peak: " + pool.stats());
        }
        PoolStats after = pool.stats();
        assertEquals(start, after.inUseBytes(), "in-use bytes after closing: " + after);
        assertTrue(after.peakInUseBytes() >= start + 3 * 4 + 10_001 * 4, "the peak must outlive the blocks: " + after);
    }

    /** Closing the backend frees its cache; the last open tensor's close gives the rest back. */
    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void statsAfterBackendClose(String backend) {
        Backend own = BackendCases.open(backend);
        MemoryPool pool = own.pool();
        Tensor open = own.allocate(Shape.of(5000));
        own.allocate(Shape.of(7000)).close();
        own.close();
        PoolStats afterClose = pool.stats();
        assertEquals(afterClose.inUseBytes(), afterClose.reservedBytes(),
                "after the backend's close only the open tensor should stay reserved: " + afterClose);
        assertTrue(open.isLive(), "closing the backend released a tensor still open");
        open.close();
        PoolStats end = pool.stats();
        assertEquals(0, end.inUseBytes(), "in-use bytes at the end: " + end);
        assertEquals(0, end.reservedBytes(), "reserved bytes once the last tensor of a closed backend is closed: " + end);
        assertEquals(end.nativeAllocations(), end.nativeFrees(), "every native allocation freed: " + end);
    }
}
