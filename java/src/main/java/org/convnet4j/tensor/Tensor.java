package org.convnet4j.tensor;

import org.convnet4j.memory.Block;
import org.convnet4j.memory.MemoryPool;

/**
 * A dense tensor whose storage is a block of a device's {@link MemoryPool}. A tensor made by
 * {@link #allocate} owns its block and returns it to the pool on {@link #close()}; a view made by
 * {@link #reshape} shares the block and owns nothing, so closing a view is a no-op.
 *
 * <p>Element access goes through the backend that owns the pool (host and device memory differ),
 * never through this class.
 */
public final class Tensor implements AutoCloseable {
    private final Shape shape;
    private final DType dtype;
    private final Layout layout;
    private final Block block;
    private final long offset;
    private final boolean owner;

    private Tensor(Shape shape, DType dtype, Layout layout, Block block, long offset, boolean owner) {
        this.shape = shape;
        this.dtype = dtype;
        this.layout = layout;
        this.block = block;
        this.offset = offset;
        this.owner = owner;
    }

    /**
     * A new NCHW tensor of {@code dtype} whose storage comes from {@code pool}; contents are undefined.
     *
     * @param pool where the storage comes from
     * @param shape the tensor's shape
     * @param dtype its element type
     * @return a tensor that owns its storage; close it to return it
     */
    public static Tensor allocate(MemoryPool pool, Shape shape, DType dtype) {
        return allocate(pool, shape, dtype, Layout.NCHW);
    }

    /**
     * A new tensor of {@code dtype} stored in {@code layout} (NHWC needs rank 4); contents are undefined.
     *
     * @param pool where the storage comes from
     * @param shape the tensor's shape, N x C x H x W whatever the layout
     * @param dtype its element type
     * @param layout the memory order of its elements
     * @return a tensor that owns its storage; close it to return it
     */
    public static Tensor allocate(MemoryPool pool, Shape shape, DType dtype, Layout layout) {
        if (layout != Layout.NCHW && shape.rank() != 4) {
            throw new IllegalArgumentException("allocate: " + layout + " needs a rank-4 shape. Received " + shape);
        }
        long bytes = Math.multiplyExact(shape.size(), (long) dtype.bytes());
        return new Tensor(shape, dtype, layout, pool.allocate(bytes), 0, true);
    }

    /**
     * The logical shape, N x C x H x W for activations whatever the layout.
     *
     * @return the shape
     */
    public Shape shape() {
        return shape;
    }

    /**
     * The element type.
     *
     * @return the element type
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * The memory order of the elements.
     *
     * @return the layout
     */
    public Layout layout() {
        return layout;
    }

    /**
     * Number of elements.
     *
     * @return the product of the shape's dimensions
     */
    public long size() {
        return shape.size();
    }

    /**
     * Bytes of the elements (the block may be larger: pools round up).
     *
     * @return the size times the element's bytes
     */
    public long bytes() {
        return shape.size() * dtype.bytes();
    }

    /**
     * Start of the elements on the owning device; fails once the storage was returned to its pool.
     *
     * @return the device address of the first element
     */
    public long address() {
        return block.address() + offset;
    }

    /**
     * The pool the storage belongs to.
     *
     * @return the pool
     */
    public MemoryPool pool() {
        return block.pool();
    }

    /**
     * True until the storage has been returned to its pool.
     *
     * @return whether the storage may still be used
     */
    public boolean isLive() {
        return !block.isReleased();
    }

    /**
     * A view of the same storage under another shape with the same element count (Flatten, and the
     * N x C view of a global pool's N x C x 1 x 1 output).
     *
     * @param newShape a shape of the same size
     * @return a view that does not own the storage
     */
    public Tensor reshape(Shape newShape) {
        if (newShape.size() != shape.size()) {
            throw new IllegalArgumentException("reshape: element counts differ. Received " + shape + " -> " + newShape);
        }
        return new Tensor(newShape, dtype, layout, block, offset, false);
    }

    /**
     * The same storage and shape read in another memory order: how a frozen inference executor hands
     * channels-last (NHWC) activations between convolutions that read and write them natively.
     *
     * @param newLayout the memory order to read the elements in
     * @return a view that does not own the storage
     */
    public Tensor view(Layout newLayout) {
        if (newLayout != Layout.NCHW && shape.rank() != 4) {
            throw new IllegalArgumentException("view: " + newLayout + " needs a rank-4 tensor. Received " + shape);
        }
        return new Tensor(shape, dtype, newLayout, block, offset, false);
    }

    /**
     * A non-owning tensor of {@code shape} placed {@code byteOffset} bytes into this one's storage:
     * how a static memory plan carves one arena into the activations and gradients of a graph.
     *
     * @param byteOffset where the slice starts, a multiple of the new element size
     * @param newShape the slice's shape
     * @param newType the slice's element type
     * @return a view that does not own the storage
     */
    public Tensor slice(long byteOffset, Shape newShape, DType newType) {
        long bytes = Math.multiplyExact(newShape.size(), (long) newType.bytes());
        if (byteOffset < 0 || byteOffset % newType.bytes() != 0 || byteOffset + bytes > bytes()) {
            throw new IllegalArgumentException("slice: " + bytes + " bytes at offset " + byteOffset
                    + " do not fit in " + this + " (" + bytes() + " bytes)");
        }
        return new Tensor(newShape, newType, layout, block, offset + byteOffset, false);
    }

    @Override
    public void close() {
        if (owner) {
            block.close();
        }
    }

    @Override
    public String toString() {
        return "Tensor(" + shape + ", " + dtype + ", " + layout + ")";
    }
}
