package org.convnet4j.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a tensor must be to load into a parameter: its element type and shape. A model lists one per
 * checkpoint key, and {@link Checkpoint#requireMatches} compares them against the file.
 */
public record TensorSpec(ElementType dtype, long[] shape) {

    /**
     * A spec; it keeps a copy of the shape.
     *
     * @param dtype the element type
     * @param shape the dimensions, each at least 0
     */
    public TensorSpec {
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "Tensor dimensions must be non-negative. Received " + Arrays.toString(shape));
            }
        }
    }

    /**
     * A spec.
     *
     * @param dtype the element type
     * @param shape the dimensions
     * @return the spec
     */
    public static TensorSpec of(ElementType dtype, long... shape) {
        return new TensorSpec(dtype, shape);
    }

    /**
     * A spec of 32-bit floats.
     *
     * @param shape the dimensions
     * @return the spec
     */
    public static TensorSpec f32(long... shape) {
        return new TensorSpec(ElementType.F32, shape);
    }

    /**
     * The dimensions.
     *
     * @return a copy of the dimensions
     */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Number of elements; 1 for a scalar (rank 0).
     *
     * @return the product of the dimensions
     */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Bytes the data of a tensor of this spec occupies.
     *
     * @return the element count times the element's bytes
     */
    public long byteSize() {
        return Math.multiplyExact(elementCount(), dtype.bytes());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec s && dtype == s.dtype && Arrays.equals(shape, s.shape);
    }

    @Override
    public int hashCode() {
        return 31 * dtype.hashCode() + Arrays.hashCode(shape);
    }

    /** Written like "6x1x5x5 F32" ("scalar F32" for rank 0), the form error messages use. */
    @Override
    public String toString() {
        if (shape.length == 0) {
            return "scalar " + dtype;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? "x" : "").append(shape[i]);
        }
        return b.append(' ').append(dtype).toString();
    }
}
