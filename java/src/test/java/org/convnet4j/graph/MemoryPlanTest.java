package org.convnet4j.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The static memory plan: buffers whose lifetimes (closed step intervals) do not overlap may share
 * bytes, buffers alive at the same step never do, every offset is 64-byte aligned, and the arena is
 * never larger than the buffers laid end to end.
 */
class MemoryPlanTest {

    @Test
    void disjointLifetimesShareTheSameBytes() {
        MemoryPlan plan = new MemoryPlan();
        int a = plan.add(1000, 0, 1);
        int b = plan.add(1000, 2, 3);
        int c = plan.add(1000, 4, 4);
        plan.solve();
        assertEquals(0, plan.offset(a));
        assertEquals(0, plan.offset(b));
        assertEquals(0, plan.offset(c));
        assertEquals(1024, plan.arenaBytes());
        assertEquals(3 * 1024, plan.unsharedBytes());
    }

    /** Closed intervals: [0, 2] and [2, 4] are both alive at step 2 (a layer reads its input while writing its output). */
    @Test
    void lifetimesTouchingAtOneStepOverlap() {
        MemoryPlan plan = new MemoryPlan();
        int a = plan.add(256, 0, 2);
        int b = plan.add(256, 2, 4);
        plan.solve();
        assertNotEquals(plan.offset(a), plan.offset(b));
        assertEquals(512, plan.arenaBytes());
    }

    @Test
    void offsetsAndSizesAreAlignedTo64Bytes() {
        MemoryPlan plan = new MemoryPlan();
        int a = plan.add(1, 0, 5);
        int b = plan.add(65, 0, 5);
        int c = plan.add(3, 0, 5);
        plan.solve();
        for (int id : new int[] {a, b, c}) {
            assertEquals(0, plan.offset(id) % 64, "offset of " + id);
        }
        assertEquals(64 + 128 + 64, plan.arenaBytes());
        assertEquals(64 + 128 + 64, plan.unsharedBytes());
    }

    @Test
    void badRequestsAndEarlyQueriesAreRejected() {
        MemoryPlan plan = new MemoryPlan();
        assertThrows(IllegalArgumentException.class, () -> plan.add(0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> plan.add(64, 3, 2));
        int a = plan.add(64, 0, 0);
        assertThrows(IllegalStateException.class, () -> plan.offset(a));
        plan.solve();
        plan.add(64, 1, 1);
        assertThrows(IllegalStateException.class, () -> plan.offset(a), "a plan changed since solve() must be solved again");
    }

    /**
     * Many random plans: every pair alive at a common step occupies disjoint byte ranges, every offset is
     * aligned, every buffer fits the arena, and the arena lies between the busiest step's total (no plan
     * can do better) and the unshared total.
     */
    @Test
    void randomPlansNeverOverlapLiveBuffers() {
        SplittableRandom rnd = new SplittableRandom(2024);
        for (int trial = 0; trial < 200; trial++) {
            int count = 1 + rnd.nextInt(60);
            int steps = 1 + rnd.nextInt(40);
            long[] bytes = new long[count];
            int[] first = new int[count];
            int[] last = new int[count];
            MemoryPlan plan = new MemoryPlan();
            for (int i = 0; i < count; i++) {
                bytes[i] = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(100) : 1 + rnd.nextInt(1 << 16);
                first[i] = rnd.nextInt(steps);
                last[i] = first[i] + rnd.nextInt(Math.max(1, steps / (1 + rnd.nextInt(4))));
                assertEquals(i, plan.add(bytes[i], first[i], last[i]));
            }
            plan.solve();
            long busiest = 0;
            for (int s = 0; s < steps * 2; s++) {
                long live = 0;
                for (int i = 0; i < count; i++) {
                    if (first[i] <= s && s <= last[i]) {
                        live += (bytes[i] + 63) / 64 * 64;
                    }
                }
                busiest = Math.max(busiest, live);
            }
            for (int i = 0; i < count; i++) {
                long oi = plan.offset(i);
                assertEquals(0, oi % 64, "trial " + trial + ": offset of buffer " + i);
                assertTrue(oi >= 0 && oi + bytes[i] <= plan.arenaBytes(), "trial " + trial + ": buffer " + i + " outside the arena");
                for (int j = i + 1; j < count; j++) {
                    boolean alive = first[i] <= last[j] && first[j] <= last[i];
                    long oj = plan.offset(j);
                    if (alive && oi < oj + bytes[j] && oj < oi + bytes[i]) {
                        fail(String.format("trial %d: buffers %d [%d, %d] at %d+%d and %d [%d, %d] at %d+%d are alive "
                                + "together and overlap", trial, i, first[i], last[i], oi, bytes[i], j, first[j], last[j], oj, bytes[j]));
                    }
                }
            }
            assertTrue(plan.arenaBytes() >= busiest, "trial " + trial + ": arena below the busiest step");
            assertTrue(plan.arenaBytes() <= plan.unsharedBytes(), "trial " + trial + ": arena above the unshared total");
        }
    }

    /**
     * The executor's inference plan for LeNet-5 at batch 8: in a chain only a layer's input and output
     * are alive together, so the arena is the busiest step, conv2d's 6x28x28 output and its 6x14x14
     * pool (4 bytes each, all sizes already multiples of 64), about half of the unshared 11,582 floats.
     */
    @Test
    void inferencePlanOfLenetNeedsOnlyTheBusiestStep() {
        Model m = TestModels.lenet5(10);
        try (org.convnet4j.backend.Backend backend = org.convnet4j.backend.Backends.create("cpu");
             Weights w = new Weights(m, backend);
             Executor infer = new Executor(m, w, null, 8)) {
            assertEquals(8L * 4 * (6 * 28 * 28 + 6 * 14 * 14), infer.plannedBytes());
            assertEquals(8L * 4 * 11_582, infer.unplannedBytes());
        }
    }
}
