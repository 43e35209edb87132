package org.convnet4j.tensor;

import java.util.Arrays;

/**
 * An immutable list of positive dimensions. Activations are rank 4 (N, C, H, W) or rank 2 (N, features);
 * convolution kernels are (out, in, kh, kw); dense kernels are (in, out) as in Keras.
 */
public final class Shape {
    private final long[] dims;

    private Shape(long[] dims) {
        this.dims = dims;
    }

    /**
     * A shape from its dimensions; every dimension must be strictly positive.
     *
     * @param dims the dimensions, outermost first
     * @return the shape (it keeps a copy)
     */
    public static Shape of(long... dims) {
        if (dims.length == 0) {
            throw new IllegalArgumentException("A shape needs at least one dimension. Received ()");
        }
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException(
                        "Shape dimensions must be strictly positive. Received " + Arrays.toString(dims));
            }
        }
        return new Shape(dims.clone());
    }

    /**
     * The number of dimensions.
     *
     * @return the rank, at least 1
     */
    public int rank() {
        return dims.length;
    }

    /**
     * One dimension; a negative axis counts from the end, as in Python.
     *
     * @param axis 0 for the outermost, -1 for the innermost
     * @return the dimension
     */
    public long dim(int axis) {
        return dims[axis < 0 ? dims.length + axis : axis];
    }

    /**
     * Dimension as an int, for sizes that index Java arrays and native int parameters.
     *
     * @param axis as {@link #dim(int)} takes it
     * @return the dimension
     * @throws ArithmeticException when it does not fit an int
     */
    public int intDim(int axis) {
        return Math.toIntExact(dim(axis));
    }

    /**
     * All dimensions, outermost first.
     *
     * @return a copy of the dimensions
     */
    public long[] dims() {
        return dims.clone();
    }

    /**
     * Number of elements.
     *
     * @return the product of the dimensions
     */
    public long size() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * The same shape with the first (batch) dimension replaced.
     *
     * @param n the new batch size
     * @return the new shape
     */
    public Shape withBatch(long n) {
        long[] d = dims.clone();
        d[0] = n;
        return of(d);
    }

    /**
     * Shape of an activation tensor, N x C x H x W.
     *
     * @param n batch
     * @param c channels
     * @param h height
     * @param w width
     * @return the shape (n, c, h, w)
     */
    public static Shape nchw(long n, long c, long h, long w) {
        return of(n, c, h, w);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Written like "2x3x32x32", the form error messages use. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                b.append('x');
            }
            b.append(dims[i]);
        }
        return b.toString();
    }
}
