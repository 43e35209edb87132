package org.convnet4j.ops;

/** A height and width pair: kernel sizes, strides, pool windows. Both must be strictly positive. */
public record Size2(int h, int w) {
    /**
     * A size; both must be strictly positive.
     *
     * @param h along the height
     * @param w along the width
     */
    public Size2 {
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException("Expected strictly positive height and width. Received " + h + "x" + w);
        }
    }

    /**
     * The square size k x k.
     *
     * @param k the size along both axes
     * @return the size
     */
    public static Size2 of(int k) {
        return new Size2(k, k);
    }

    /**
     * A size that differs between height and width.
     *
     * @param h along the height
     * @param w along the width
     * @return the size
     */
    public static Size2 of(int h, int w) {
        return new Size2(h, w);
    }

    @Override
    public String toString() {
        return h + "x" + w;
    }
}
