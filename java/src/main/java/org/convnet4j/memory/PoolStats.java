package org.convnet4j.memory;

/**
 * A snapshot of a memory pool's counters.
 *
 * @param reservedBytes     bytes held from the native allocator (in use plus cached)
 * @param inUseBytes        bytes handed out and not yet returned
 * @param peakInUseBytes    the largest inUseBytes seen since the pool was made or its peak reset
 * @param nativeAllocations how many times the pool called the native allocator
 * @param nativeFrees       how many times the pool returned memory to the native allocator
 */
public record PoolStats(long reservedBytes, long inUseBytes, long peakInUseBytes,
                        long nativeAllocations, long nativeFrees) {

    @Override
    public String toString() {
        return String.format("reserved %,d B, in use %,d B, peak %,d B, %d native allocations, %d native frees",
                reservedBytes, inUseBytes, peakInUseBytes, nativeAllocations, nativeFrees);
    }
}
