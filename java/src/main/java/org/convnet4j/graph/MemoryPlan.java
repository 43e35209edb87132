package org.convnet4j.graph;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Places buffers with known lifetimes in one arena so that buffers whose lifetimes do not overlap
 * share bytes. Lifetimes are closed intervals of step indices in the order the executor runs
 * (forward, then backward). Greedy: largest buffers first, each at the lowest offset that does not
 * collide with an already placed buffer that is alive at the same time. Offsets are 64-byte aligned.
 */
public final class MemoryPlan {
    private static final long ALIGN = 64;

    private record Item(int id, long bytes, int first, int last) {
    }

    private final List<Item> items = new ArrayList<>();
    private long[] offsets;
    private long arenaBytes;

    /**
     * Registers a buffer alive from step {@code first} to step {@code last} inclusive; returns its id.
     *
     * @param bytes its size, &gt; 0; rounded up to the plan's alignment
     * @param first the first step it is alive in
     * @param last the last step it is alive in, &gt;= first
     * @return its id, for {@link #offset}: ids count from 0 in the order added
     * @throws IllegalArgumentException if bytes is not positive or first &gt; last
     */
    public int add(long bytes, int first, int last) {
        if (bytes <= 0 || first > last) {
            throw new IllegalArgumentException("MemoryPlan: expected bytes > 0 and first <= last. Received bytes="
                    + bytes + ", first=" + first + ", last=" + last);
        }
        items.add(new Item(items.size(), (bytes + ALIGN - 1) / ALIGN * ALIGN, first, last));
        offsets = null;
        return items.size() - 1;
    }

    /** Computes the placement; afterwards {@link #offset} and {@link #arenaBytes} answer. */
    public void solve() {
        List<Item> order = new ArrayList<>(items);
        order.sort(Comparator.comparingLong(Item::bytes).reversed().thenComparingInt(Item::id));
        offsets = new long[items.size()];
        List<Item> placed = new ArrayList<>();
        arenaBytes = 0;
        for (Item it : order) {
            List<long[]> busy = new ArrayList<>();
            for (Item p : placed) {
                if (p.first <= it.last && it.first <= p.last) {
                    busy.add(new long[] {offsets[p.id], offsets[p.id] + p.bytes});
                }
            }
            busy.sort(Comparator.comparingLong(a -> a[0]));
            long candidate = 0;
            for (long[] b : busy) {
                if (candidate + it.bytes <= b[0]) {
                    break;
                }
                candidate = Math.max(candidate, b[1]);
            }
            offsets[it.id] = candidate;
            arenaBytes = Math.max(arenaBytes, candidate + it.bytes);
            placed.add(it);
        }
    }

    /**
     * Where a buffer lies in the arena.
     *
     * @param id the id {@link #add} returned
     * @return its byte offset from the arena's start, aligned
     * @throws IllegalStateException if {@link #solve} has not run since the last add
     */
    public long offset(int id) {
        if (offsets == null) {
            throw new IllegalStateException("MemoryPlan.solve() has not run since the last add");
        }
        return offsets[id];
    }

    /**
     * The arena's size after {@link #solve}: the end of the highest placed buffer.
     *
     * @return bytes; 0 before the first solve
     */
    public long arenaBytes() {
        return arenaBytes;
    }

    /**
     * Sum of all buffers' sizes, what a plan without sharing would need.
     *
     * @return bytes, each buffer rounded up to the alignment
     */
    public long unsharedBytes() {
        long s = 0;
        for (Item it : items) {
            s += it.bytes;
        }
        return s;
    }
}
