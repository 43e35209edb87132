package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Expected values are tf.image.resize(method='bilinear', antialias=False) worked by hand, then rounded. */
class BilinearResizeTest {
    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static int[] ints(byte[] b, int from, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = b[from + i] & 0xFF;
        }
        return v;
    }

    @Test
    void upsample2x2To4x4ClampsAtTheEdges() {
        // Source coordinates (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25: the outer ones clamp to the edge pixel.
        byte[] out = new byte[16];
        BilinearResize.resize(bytes(0, 40, 80, 120), 1, 2, 2, out, 0, 4, 4);
        assertArrayEquals(new int[] {
            0, 10, 30, 40,
            20, 30, 50, 60,
            60, 70, 90, 100,
            80, 90, 110, 120}, ints(out, 0, 16));
    }

    @Test
    void downsample4x4To3x3() {
        // v(y, x) = 10 x + 40 y; source coordinates (i + 0.5) 4/3 - 0.5 = 1/6, 3/2, 17/6, all inside, so the
        // result is the plane at those points: 10 x' + 40 y', e.g. 10/6 + 40/6 = 8.33 -> 8.
        byte[] src = new byte[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                src[y * 4 + x] = (byte) (10 * x + 40 * y);
            }
        }
        byte[] out = new byte[9];
        BilinearResize.resize(src, 1, 4, 4, out, 0, 3, 3);
        assertArrayEquals(new int[] {8, 22, 35, 62, 75, 88, 115, 128, 142}, ints(out, 0, 9));
    }

    @Test
    void roundsToNearestAndKeepsPlanesApart() {
        // Row [0, 255] to width 4: 0, 63.75, 191.25, 255. The second plane is constant.
        byte[] out = new byte[2 + 8];
        BilinearResize.resize(bytes(0, 255, 7, 7), 2, 1, 2, out, 2, 1, 4);
        assertArrayEquals(new int[] {0, 64, 191, 255, 7, 7, 7, 7}, ints(out, 2, 8));
        // Width 4 to 2 samples at 0.5 and 2.5: the mean of each pair, 0.5 rounding up.
        byte[] half = new byte[2];
        BilinearResize.resize(bytes(0, 1, 10, 20), 1, 1, 4, half, 0, 1, 2);
        assertArrayEquals(new int[] {1, 15}, ints(half, 0, 2));
    }

    @Test
    void sameSizeIsACopy() {
        byte[] src = bytes(1, 2, 3, 4, 5, 6);
        byte[] out = new byte[6];
        BilinearResize.resize(src, 1, 2, 3, out, 0, 2, 3);
        assertArrayEquals(src, out);
    }

    /** The formula from its definition, in double, on odd sizes both ways; float rounding may move a .5 by one. */
    @Test
    void matchesTheDefinitionOnRandomImages() {
        SplittableRandom random = new SplittableRandom(3);
        int[][] cases = {{7, 5, 3, 11}, {160, 120, 64, 64}, {3, 3, 224, 224}, {33, 17, 32, 32}};
        for (int[] c : cases) {
            int inH = c[0];
            int inW = c[1];
            int outH = c[2];
            int outW = c[3];
            byte[] src = new byte[inH * inW];
            for (int i = 0; i < src.length; i++) {
                src[i] = (byte) random.nextInt(256);
            }
            byte[] out = new byte[outH * outW];
            BilinearResize.resize(src, 1, inH, inW, out, 0, outH, outW);
            for (int y = 0; y < outH; y++) {
                for (int x = 0; x < outW; x++) {
                    double ref = reference(src, inH, inW, (y + 0.5) * inH / outH - 0.5, (x + 0.5) * inW / outW - 0.5);
                    int got = out[y * outW + x] & 0xFF;
                    assertTrue(Math.abs(got - ref) <= 0.5 + 1e-3, inH + "x" + inW + " -> " + outH + "x" + outW
                            + " at (" + y + ", " + x + "): expected " + ref + ", got " + got);
                }
            }
        }
    }

    private static double reference(byte[] src, int h, int w, double sy, double sx) {
        int y0 = (int) Math.floor(sy);
        int x0 = (int) Math.floor(sx);
        double fy = sy - y0;
        double fx = sx - x0;
        double top = at(src, h, w, y0, x0) * (1 - fx) + at(src, h, w, y0, x0 + 1) * fx;
        double bottom = at(src, h, w, y0 + 1, x0) * (1 - fx) + at(src, h, w, y0 + 1, x0 + 1) * fx;
        return top * (1 - fy) + bottom * fy;
    }

    private static int at(byte[] src, int h, int w, int y, int x) {
        y = Math.max(0, Math.min(h - 1, y));
        x = Math.max(0, Math.min(w - 1, x));
        return src[y * w + x] & 0xFF;
    }
}
