package org.convnet4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One tensor of a checkpoint: element type, shape and little-endian bytes. The bytes are not copied:
 * a tensor written from a direct buffer over native memory streams straight to the file, and a tensor
 * read back is a view of the memory-mapped file.
 */
public final class NamedTensor {
    private final TensorSpec spec;
    private final ByteBuffer data;

    /**
     * The bytes from data's position to its limit, which must be exactly the spec's size.
     *
     * @param dtype the element type
     * @param shape the dimensions
     * @param data the little-endian bytes; read-only views are kept, not copies
     */
    public NamedTensor(ElementType dtype, long[] shape, ByteBuffer data) {
        this.spec = new TensorSpec(dtype, shape);
        if (data.remaining() != spec.byteSize()) {
            throw new IllegalArgumentException("A " + spec + " tensor needs " + spec.byteSize()
                    + " bytes of data. Received " + data.remaining());
        }
        this.data = data.slice().asReadOnlyBuffer();
    }

    /**
     * An F32 tensor.
     *
     * @param values the elements, row-major
     * @param shape the dimensions
     * @return the tensor
     */
    public static NamedTensor ofFloats(float[] values, long... shape) {
        ByteBuffer b = allocate(values.length, 4);
        b.asFloatBuffer().put(values);
        return new NamedTensor(ElementType.F32, shape, b);
    }

    /**
     * An I32 tensor.
     *
     * @param values the elements, row-major
     * @param shape the dimensions
     * @return the tensor
     */
    public static NamedTensor ofInts(int[] values, long... shape) {
        ByteBuffer b = allocate(values.length, 4);
        b.asIntBuffer().put(values);
        return new NamedTensor(ElementType.I32, shape, b);
    }

    /**
     * An I64 tensor.
     *
     * @param values the elements, row-major
     * @param shape the dimensions
     * @return the tensor
     */
    public static NamedTensor ofLongs(long[] values, long... shape) {
        ByteBuffer b = allocate(values.length, 8);
        b.asLongBuffer().put(values);
        return new NamedTensor(ElementType.I64, shape, b);
    }

    /**
     * A U8 tensor.
     *
     * @param values the elements, row-major
     * @param shape the dimensions
     * @return the tensor
     */
    public static NamedTensor ofBytes(byte[] values, long... shape) {
        return new NamedTensor(ElementType.U8, shape, ByteBuffer.wrap(values.clone()));
    }

    /**
     * An F16 or BF16 tensor from the raw 16-bit patterns, since Java has no half-precision type.
     *
     * @param dtype F16 or BF16
     * @param bits the elements' bit patterns, row-major
     * @param shape the dimensions
     * @return the tensor
     */
    public static NamedTensor ofHalfBits(ElementType dtype, short[] bits, long... shape) {
        if (dtype.bytes() != 2) {
            throw new IllegalArgumentException("ofHalfBits needs F16 or BF16. Received " + dtype);
        }
        ByteBuffer b = allocate(bits.length, 2);
        b.asShortBuffer().put(bits);
        return new NamedTensor(dtype, shape, b);
    }

    /**
     * The element type and shape.
     *
     * @return the spec
     */
    public TensorSpec spec() {
        return spec;
    }

    /**
     * The element type.
     *
     * @return the element type
     */
    public ElementType dtype() {
        return spec.dtype();
    }

    /**
     * The dimensions.
     *
     * @return a copy of the dimensions
     */
    public long[] shape() {
        return spec.shape();
    }

    /**
     * The bytes of the data.
     *
     * @return the size in bytes
     */
    public long byteSize() {
        return data.capacity();
    }

    /**
     * A read-only little-endian view of the bytes, positioned at 0.
     *
     * @return the view
     */
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The elements of an F32 tensor.
     *
     * @return a new array
     */
    public float[] toFloats() {
        float[] out = new float[elements(ElementType.F32, "toFloats")];
        data().asFloatBuffer().get(out);
        return out;
    }

    /**
     * The elements of an I32 tensor.
     *
     * @return a new array
     */
    public int[] toInts() {
        int[] out = new int[elements(ElementType.I32, "toInts")];
        data().asIntBuffer().get(out);
        return out;
    }

    /**
     * The elements of an I64 tensor.
     *
     * @return a new array
     */
    public long[] toLongs() {
        long[] out = new long[elements(ElementType.I64, "toLongs")];
        data().asLongBuffer().get(out);
        return out;
    }

    /**
     * The raw little-endian bytes, whatever the dtype: a U8 tensor's values, or bytes to compare bit for bit.
     *
     * @return a new array
     */
    public byte[] toBytes() {
        if (byteSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("toBytes cannot fit " + byteSize() + " bytes in a Java array; read "
                    + spec + " through data() instead");
        }
        byte[] out = new byte[(int) byteSize()];
        data().get(out);
        return out;
    }

    /**
     * The raw 16-bit patterns of an F16 or BF16 tensor.
     *
     * @return a new array
     */
    public short[] toHalfBits() {
        if (dtype().bytes() != 2) {
            throw new IllegalStateException("toHalfBits reads F16 and BF16 tensors only. Received " + spec);
        }
        short[] out = new short[Math.toIntExact(spec.elementCount())];
        data().asShortBuffer().get(out);
        return out;
    }

    @Override
    public String toString() {
        return "NamedTensor(" + spec + ")";
    }

    private int elements(ElementType expected, String method) {
        if (dtype() != expected) {
            throw new IllegalStateException(method + " reads " + expected + " tensors only. Received " + spec);
        }
        long n = spec.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(method + " cannot fit " + n + " elements in a Java array; read "
                    + spec + " through data() instead");
        }
        return (int) n;
    }

    private static ByteBuffer allocate(int count, int elementBytes) {
        return ByteBuffer.allocate(Math.multiplyExact(count, elementBytes)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
