package org.convnet4j.data;

/**
 * Bilinear resizing as {@code tf.image.resize(images, size, method='bilinear', antialias=False)}
 * computes it (TensorFlow's ResizeBilinear kernel with half-pixel centers): output pixel i samples the
 * source at {@code (i + 0.5) * in / out - 0.5}, taps outside the image are clamped to the edge, and the
 * arithmetic is done in float in the kernel's order (scale, source coordinate, lerp along x, then y).
 * The aspect ratio is not kept, as in TensorFlow.
 *
 * <p>One deviation: TensorFlow returns floats, while {@link Dataset} stores bytes, so each result is
 * rounded to the nearest integer (halves up). Pixels then differ from the reference by at most
 * 0.5 / 255 after scaling to [0, 1].
 */
public final class BilinearResize {
    private BilinearResize() {
    }

    /**
     * Resizes a planar image ({@code channels} planes of inH x inW bytes starting at {@code src[0]})
     * into {@code dst} at {@code dstOffset} (channels planes of outH x outW bytes).
     *
     * @param src the image
     * @param channels the planes
     * @param inH the input's height
     * @param inW the input's width
     * @param dst where the result goes
     * @param dstOffset where in dst it starts
     * @param outH the output's height
     * @param outW the output's width
     */
    public static void resize(byte[] src, int channels, int inH, int inW, byte[] dst, int dstOffset, int outH,
            int outW) {
        if (inH <= 0 || inW <= 0 || outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("resize: expected positive sizes. Received " + inH + " x " + inW
                    + " -> " + outH + " x " + outW);
        }
        if (src.length < channels * inH * inW || dst.length - dstOffset < channels * outH * outW) {
            throw new IllegalArgumentException("resize: arrays too small for " + channels + " x " + inH + " x " + inW
                    + " -> " + outH + " x " + outW + ". Received src " + src.length + ", dst " + dst.length
                    + " from offset " + dstOffset);
        }
        if (inH == outH && inW == outW) {
            // Half-pixel centers at scale 1 sample every source pixel exactly.
            System.arraycopy(src, 0, dst, dstOffset, channels * inH * inW);
            return;
        }
        Taps ys = Taps.of(inH, outH);
        Taps xs = Taps.of(inW, outW);
        for (int c = 0; c < channels; c++) {
            int plane = c * inH * inW;
            int out = dstOffset + c * outH * outW;
            for (int y = 0; y < outH; y++) {
                int top = plane + ys.lower[y] * inW;
                int bottom = plane + ys.upper[y] * inW;
                float yLerp = ys.lerp[y];
                for (int x = 0; x < outW; x++) {
                    float tl = src[top + xs.lower[x]] & 0xFF;
                    float tr = src[top + xs.upper[x]] & 0xFF;
                    float bl = src[bottom + xs.lower[x]] & 0xFF;
                    float br = src[bottom + xs.upper[x]] & 0xFF;
                    float xLerp = xs.lerp[x];
                    float t = tl + (tr - tl) * xLerp;
                    float b = bl + (br - bl) * xLerp;
                    dst[out++] = toByte(t + (b - t) * yLerp);
                }
            }
        }
    }

    private static byte toByte(float v) {
        int r = Math.round(v);
        return (byte) (r < 0 ? 0 : Math.min(r, 255));
    }

    /** Per output index along one axis: the two source indices and the weight of the upper one. */
    private record Taps(int[] lower, int[] upper, float[] lerp) {
        static Taps of(int in, int out) {
            float scale = in / (float) out;
            int[] lower = new int[out];
            int[] upper = new int[out];
            float[] lerp = new float[out];
            for (int i = 0; i < out; i++) {
                float src = ((float) i + 0.5f) * scale - 0.5f;
                float floor = (float) Math.floor(src);
                lower[i] = Math.max((int) floor, 0);
                upper[i] = Math.min((int) Math.ceil(src), in - 1);
                lerp[i] = src - floor;
            }
            return new Taps(lower, upper, lerp);
        }
    }
}
