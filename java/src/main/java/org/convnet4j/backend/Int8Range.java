package org.convnet4j.backend;

/**
 * The range of values a convolution's input took on calibration images, from which its int8
 * quantization is chosen ({@link Backend#freezeConvInt8}): an input that never went below zero (an
 * image scaled to [0, 1], anything after a relu or a max pool of one) is stored as unsigned 8-bit
 * with scale {@code max / 255}; any other as signed 8-bit with scale {@code max(|min|, |max|) / 127}.
 * Values outside the range saturate.
 *
 * @param min the smallest value seen, finite
 * @param max the largest value seen, finite and at least {@code min}
 */
public record Int8Range(float min, float max) {
    /**
     * Checks the range.
     *
     * @param min the smallest value seen
     * @param max the largest value seen
     * @throws IllegalArgumentException if a bound is not finite or {@code min > max}
     */
    public Int8Range {
        if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
            throw new IllegalArgumentException("int8: expected a finite range with min <= max. Received [" + min + ", " + max
                    + "]; calibrate on images without NaN or infinity");
        }
    }

    /**
     * Whether the input is stored unsigned (it never went below zero).
     *
     * @return true for u8, false for s8
     */
    public boolean unsigned() {
        return min >= 0f;
    }

    /**
     * The quantization step: one unit of the 8-bit value is this much of the real one (1 for an
     * all-zero range, so that zero stays zero).
     *
     * @return the scale, positive
     */
    public float scale() {
        float reach = unsigned() ? max / 255f : Math.max(Math.abs(min), Math.abs(max)) / 127f;
        return reach > 0f ? reach : 1f;
    }

    /**
     * This range widened to include {@code other}.
     *
     * @param other another range
     * @return the union
     */
    public Int8Range union(Int8Range other) {
        return new Int8Range(Math.min(min, other.min), Math.max(max, other.max));
    }
}
