package org.convnet4j.memory;

import org.bytedeco.javacpp.Pointer;

/**
 * Host memory for the CPU backend. Uses JavaCPP's malloc and over-allocates one alignment unit so
 * every block is 64-byte aligned; the original pointer is remembered for free.
 */
public final class HostMemoryPool extends MemoryPool {
    private final java.util.Map<Long, Long> rawByAligned = new java.util.HashMap<>();

    /** An empty pool of host memory. */
    public HostMemoryPool() {
        super("host memory pool");
    }

    @Override
    protected long nativeAllocate(long bytes) {
        Pointer raw = Pointer.malloc(bytes + ALIGNMENT);
        if (raw == null || raw.isNull()) {
            throw new PoolOutOfMemoryException(name(), bytes, stats(), "malloc returned NULL");
        }
        long address = raw.address();
        long aligned = (address + ALIGNMENT - 1) & -ALIGNMENT;
        synchronized (rawByAligned) {
            rawByAligned.put(aligned, address);
        }
        return aligned;
    }

    @Override
    protected void nativeFree(long address, long bytes) {
        Long raw;
        synchronized (rawByAligned) {
            raw = rawByAligned.remove(address);
        }
        if (raw == null) {
            throw new IllegalStateException("Free of an address this pool never allocated: 0x" + Long.toHexString(address));
        }
        Pointer.free(new RawPointer(raw));
    }

    /** A pointer at a known address, owning nothing. */
    private static final class RawPointer extends Pointer {
        RawPointer(long address) {
            this.address = address;
        }
    }
}
