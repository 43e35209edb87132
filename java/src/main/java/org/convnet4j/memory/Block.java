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

    /**
     * The block's start on its device.
     *
     * @return the address
     * @throws IllegalStateException once the block was returned to its pool
     */
    public long address() {
        if (released) {
            throw new IllegalStateException("Use of a memory block after it was returned to " + pool.name());
        }
        return address;
    }

    /**
     * The block's usable size: the request rounded up to its size class.
     *
     * @return the size in bytes
     */
    public long bytes() {
        return bytes;
    }

    /**
     * The pool the block came from and returns to.
     *
     * @return the pool
     */
    public MemoryPool pool() {
        return pool;
    }

    /**
     * Whether the block was returned to its pool (closed).
     *
     * @return true after {@link #close()}
     */
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
