package org.convnet4j.memory;

/** The native allocator refused a pool's request; the message says how much was asked and what the pool holds. */
public class PoolOutOfMemoryException extends RuntimeException {
    private final long requestedBytes;
    private final PoolStats stats;

    public PoolOutOfMemoryException(String pool, long requestedBytes, PoolStats stats, String detail) {
        super(String.format("%s: out of memory allocating %,d bytes (%s)%s", pool, requestedBytes, stats,
                detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.requestedBytes = requestedBytes;
        this.stats = stats;
    }

    public long requestedBytes() {
        return requestedBytes;
    }

    public PoolStats stats() {
        return stats;
    }
}
