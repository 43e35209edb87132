package org.convnet4j.memory;

/** The native allocator refused a pool's request; the message says how much was asked and what the pool holds. */
public class PoolOutOfMemoryException extends RuntimeException {
    /** The bytes the failed request asked for. */
    private final long requestedBytes;
    /** The pool's counters when the request failed. */
    private final PoolStats stats;

    /**
     * A refusal, with what was asked and what the pool held.
     *
     * @param pool the pool's name
     * @param requestedBytes the bytes asked for
     * @param stats the pool's counters at the time
     * @param detail the device's own message, or null
     */
    public PoolOutOfMemoryException(String pool, long requestedBytes, PoolStats stats, String detail) {
        super(String.format("%s: out of memory allocating %,d bytes (%s)%s", pool, requestedBytes, stats,
                detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.requestedBytes = requestedBytes;
        this.stats = stats;
    }

    /**
     * The bytes the failed request asked for.
     *
     * @return the request in bytes
     */
    public long requestedBytes() {
        return requestedBytes;
    }

    /**
     * The pool's counters when the request failed.
     *
     * @return the counters
     */
    public PoolStats stats() {
        return stats;
    }
}
