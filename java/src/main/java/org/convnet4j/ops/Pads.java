package org.convnet4j.ops;

/** Zero padding actually applied on each side, after a {@link Padding} rule has been resolved for a shape. */
public record Pads(int top, int bottom, int left, int right) {
    /**
     * Pads; each must be at least 0.
     *
     * @param top rows above
     * @param bottom rows below
     * @param left columns on the left
     * @param right columns on the right
     */
    public Pads {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("Padding must not be negative. Received top=" + top + ", bottom=" + bottom
                    + ", left=" + left + ", right=" + right);
        }
    }

    /** No padding. */
    public static final Pads NONE = new Pads(0, 0, 0, 0);

    /**
     * Whether every side is 0.
     *
     * @return true for no padding
     */
    public boolean isZero() {
        return top == 0 && bottom == 0 && left == 0 && right == 0;
    }

    @Override
    public String toString() {
        return "pads(t" + top + ",b" + bottom + ",l" + left + ",r" + right + ")";
    }
}
