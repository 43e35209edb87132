package org.convnet4j.memory;

/**
 * One allocation handed out by a {@link MemoryPool}: an address on the pool's device and its rounded
 * size. Closing it returns it to the pool's cache, not to the native allocator.
 */
public final class Block implements AutoCloseable {
    private final MemoryPool pool;
    private final long address;
    private final long bytes;
    private boolean released;

    Block(MemoryPool pool, long address, long bytes) {
        this.pool = pool;
        this.address = address;
        this.bytes = bytes;
    }

    public long address() {
        if (released) {
            throw new IllegalStateException("Use of a memory block after it was returned to " + pool.name());
        }
        return address;
    }

    public long bytes() {
        return bytes;
    }

    public MemoryPool pool() {
        return pool;
    }

    public boolean isReleased() {
        return released;
    }

    @Override
    public void close() {
        if (!released) {
            released = true;
            pool.release(address, bytes);
        }
    }
}
