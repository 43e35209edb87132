package org.convnet4j.memory;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator for one device. Requests are rounded up to a size class and freed blocks are
 * kept per class, so a training loop that asks for the same sizes every step reaches a steady state
 * with no native allocation after its first step (tests assert this from {@link #stats()}).
 *
 * <p>Subclasses supply the device's raw allocator (aligned malloc on the host, cudaMalloc on a GPU).
 * The pool is thread-safe; the lock is held only for bookkeeping, never across a native call that
 * could block on a device.
 */
public abstract class MemoryPool implements AutoCloseable {
    /** Every block starts on a 64-byte boundary: a cache line, and what AVX-512 and oneDNN prefer. */
    public static final long ALIGNMENT = 64;
    private static final long SMALL_GRANULE = 512;
    private static final long LARGE_THRESHOLD = 1L << 20;

    private final String name;
    private final Map<Long, ArrayDeque<Long>> cache = new HashMap<>();
    private long reserved;
    private long inUse;
    private long peak;
    private long nativeAllocations;
    private long nativeFrees;
    private boolean closed;

    /**
     * A pool with an empty cache.
     *
     * @param name the name messages give it, e.g. "host memory pool"
     */
    protected MemoryPool(String name) {
        this.name = name;
    }

    /**
     * The pool's name, as messages give it.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Size class of a request: 512-byte granules below 1 MiB; above, the next multiple of an eighth of
     * the enclosing power of two, which bounds waste at 12.5% while keeping few classes. What a block
     * of {@code bytes} really takes, for estimates made before allocating.
     *
     * @param bytes a request, strictly positive
     * @return the size of the block that serves it
     */
    public static long roundUp(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("Allocation size must be strictly positive. Received " + bytes);
        }
        if (bytes < LARGE_THRESHOLD) {
            return (bytes + SMALL_GRANULE - 1) / SMALL_GRANULE * SMALL_GRANULE;
        }
        long step = Long.highestOneBit(bytes) / 8;
        return (bytes + step - 1) / step * step;
    }

    /**
     * A block of at least {@code bytes} bytes, from the cache when one of its class is free.
     *
     * @param bytes the bytes needed, strictly positive
     * @return a block the caller closes to give it back
     * @throws PoolOutOfMemoryException when the device refuses even after the cache was emptied
     */
    public Block allocate(long bytes) {
        long size = roundUp(bytes);
        synchronized (this) {
            ensureOpen();
            ArrayDeque<Long> free = cache.get(size);
            if (free != null && !free.isEmpty()) {
                return handOut(free.pop(), size);
            }
        }
        long address;
        try {
            address = nativeAllocate(size);
        } catch (PoolOutOfMemoryException first) {
            // Cached blocks of other sizes may be what stands in the way: give them back once and retry.
            emptyCache();
            address = nativeAllocate(size);
        }
        synchronized (this) {
            nativeAllocations++;
            reserved += size;
            return handOut(address, size);
        }
    }

    private Block handOut(long address, long size) {
        inUse += size;
        peak = Math.max(peak, inUse);
        return new Block(this, address, size);
    }

    synchronized void release(long address, long size) {
        inUse -= size;
        if (closed) {
            nativeFree(address, size);
            reserved -= size;
            nativeFrees++;
            return;
        }
        cache.computeIfAbsent(size, k -> new ArrayDeque<>()).push(address);
    }

    /** Returns every cached (free) block to the native allocator; blocks in use are untouched. */
    public synchronized void emptyCache() {
        for (Map.Entry<Long, ArrayDeque<Long>> e : cache.entrySet()) {
            for (long address : e.getValue()) {
                nativeFree(address, e.getKey());
                reserved -= e.getKey();
                nativeFrees++;
            }
        }
        cache.clear();
    }

    /**
     * Bytes reserved from the device and in use now, the peak in use, and native allocation and free counts.
     *
     * @return a snapshot of the counters
     */
    public synchronized PoolStats stats() {
        return new PoolStats(reserved, inUse, peak, nativeAllocations, nativeFrees);
    }

    /** Starts a new peak measurement at the current in-use level. */
    public synchronized void resetPeak() {
        peak = inUse;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    /**
     * Frees the cache. Blocks still in use are freed when they are closed, so a late close of a
     * tensor never touches freed memory.
     */
    @Override
    public synchronized void close() {
        if (!closed) {
            emptyCache();
            closed = true;
        }
    }

    /**
     * Allocates {@code bytes} (already rounded) aligned to {@link #ALIGNMENT}, or throws PoolOutOfMemoryException.
     *
     * @param bytes a size class from {@link #roundUp}
     * @return the address of the new memory
     */
    protected abstract long nativeAllocate(long bytes);

    /**
     * Returns memory that {@link #nativeAllocate} gave to the device.
     *
     * @param address what nativeAllocate returned
     * @param bytes the size it was asked for
     */
    protected abstract void nativeFree(long address, long bytes);
}
