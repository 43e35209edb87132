package org.convnet4j.ops;

/**
 * How a sliding window treats the border: Keras' {@code valid} and {@code same}, or explicit pads.
 * {@code same} follows TensorFlow: output = ceil(input / stride), and when the total padding is odd the
 * extra row and column go to the bottom and right.
 */
public sealed interface Padding {
    /** No padding: windows stay inside the input (Keras' "valid"). */
    Padding VALID = new Valid();
    /** TensorFlow's "same": output size ceil(in / stride), any odd pad at the bottom and right. */
    Padding SAME = new Same();

    /**
     * Pads given per side.
     *
     * @param top rows above
     * @param bottom rows below
     * @param left columns on the left
     * @param right columns on the right
     * @return the padding
     */
    static Padding explicit(int top, int bottom, int left, int right) {
        return new Explicit(new Pads(top, bottom, left, right));
    }

    /**
     * The pads for an input of inH x inW under this rule.
     *
     * @param inH the input's height
     * @param inW the input's width
     * @param window the kernel or pool window
     * @param stride the stride
     * @return the pads on each side
     */
    Pads resolve(long inH, long inW, Size2 window, Size2 stride);

    /** See {@link #VALID}. */
    record Valid() implements Padding {
        @Override
        public Pads resolve(long inH, long inW, Size2 window, Size2 stride) {
            return Pads.NONE;
        }

        @Override
        public String toString() {
            return "valid";
        }
    }

    /** See {@link #SAME}. */
    record Same() implements Padding {
        @Override
        public Pads resolve(long inH, long inW, Size2 window, Size2 stride) {
            int totalH = total(inH, window.h(), stride.h());
            int totalW = total(inW, window.w(), stride.w());
            return new Pads(totalH / 2, totalH - totalH / 2, totalW / 2, totalW - totalW / 2);
        }

        private static int total(long in, int k, int s) {
            long out = (in + s - 1) / s;
            return (int) Math.max((out - 1) * s + k - in, 0);
        }

        @Override
        public String toString() {
            return "same";
        }
    }

    /**
     * See {@link #explicit}.
     *
     * @param pads the pads on each side
     */
    record Explicit(Pads pads) implements Padding {
        @Override
        public Pads resolve(long inH, long inW, Size2 window, Size2 stride) {
            return pads;
        }

        @Override
        public String toString() {
            return pads.toString();
        }
    }

    /**
     * Output length of a window of size k with stride s over in + padBefore + padAfter elements.
     *
     * @param in the input length
     * @param k the window
     * @param s the stride
     * @param padBefore padding before
     * @param padAfter padding after
     * @return floor((in + pads - k) / s) + 1
     */
    static long outputLength(long in, int k, int s, int padBefore, int padAfter) {
        long span = in + padBefore + padAfter - k;
        return span < 0 ? 0 : span / s + 1;
    }
}
