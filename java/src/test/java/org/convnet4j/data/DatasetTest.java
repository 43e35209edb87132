package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetTest {
    private static final List<String> ABC = List.of("a", "b", "c");

    /** n images of 1 x 2 x 2 whose bytes are 4 i, 4 i + 1, ...; label i % 3. */
    static Dataset counting(int n) {
        byte[] pixels = new byte[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 4; k++) {
                pixels[4 * i + k] = (byte) (4 * i + k);
            }
            labels[i] = i % 3;
        }
        return new Dataset(pixels, labels, 1, 2, 2, ABC);
    }

    @Test
    void accessorsAndLayout() {
        byte[] pixels = new byte[2 * 3 * 2 * 2];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 10);
        }
        Dataset d = new Dataset(pixels, new int[] {2, 0}, 3, 2, 2, ABC);
        assertEquals(2, d.size());
        assertEquals(12, d.imageSize());
        // N x C x H x W: image 1, channel 2, y 1, x 0 is byte 12 + 8 + 2 = 22
        assertEquals(220, d.pixel(1, 2, 1, 0));
        assertEquals(2, d.label(0));
        assertArrayEquals(new int[] {1, 0, 1}, d.classCounts());
    }

    @Test
    void copyScaledDividesBy255() {
        byte[] pixels = {0, (byte) 255, (byte) 128, 1};
        Dataset d = new Dataset(pixels, new int[] {0}, 1, 2, 2, ABC);
        float[] out = new float[6];
        d.copyScaled(0, out, 2);
        assertArrayEquals(new float[] {0, 0, 0f, 1f, 128 / 255f, 1 / 255f}, out);
    }

    @Test
    void sliceIsAViewWithItsOwnIndices() {
        Dataset d = counting(10);
        Dataset s = d.slice(3, 7);
        assertEquals(4, s.size());
        assertEquals(d.label(3), s.label(0));
        assertEquals(d.pixel(5, 0, 1, 1), s.pixel(2, 0, 1, 1));
        assertArrayEquals(new int[] {0, 1, 2, 0}, s.labels());
        assertArrayEquals(new int[] {2, 1, 1}, s.classCounts());
        assertEquals(0, s.slice(1, 3).slice(1, 2).pixel(0, 0, 0, 0) - 4 * 5);
        assertThrows(IndexOutOfBoundsException.class, () -> s.label(4));
        assertThrows(IndexOutOfBoundsException.class, () -> d.slice(5, 11));
    }

    @Test
    void constructorChecksShapesAndLabels() {
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new byte[7], new int[] {0, 1}, 1, 2, 2, ABC));
        assertTrue(size.getMessage().contains("expected 8 pixel bytes") && size.getMessage().contains("Received 7"),
                size.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new byte[8], new int[] {0, 3}, 1, 2, 2, ABC));
        assertTrue(label.getMessage().contains("label 3 of image 1 is outside 0..2"), label.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dataset(new byte[8], new int[] {0}, 2, 2, 2, ABC));
    }

    @Test
    void splitTakesAPrefixInOrder() {
        Split s = Datasets.split(counting(10), 0.7);
        assertEquals(7, s.train().size());
        assertEquals(3, s.validation().size());
        assertEquals(7 * 4, s.validation().pixel(0, 0, 0, 0));
        // 90 x 0.7 is 62.99999999999999 in binary floating point; the split must still give 63.
        assertEquals(63, Datasets.split(counting(90), 0.7).train().size());
        Split flowers = Datasets.split(new Dataset(new byte[3670], new int[3670], 1, 1, 1, ABC), 0.7);
        assertEquals(2569, flowers.train().size());
        assertEquals(1101, flowers.validation().size());
        assertEquals(0, Datasets.split(counting(3), 0.0).train().size());
        assertThrows(IllegalArgumentException.class, () -> Datasets.split(counting(3), 1.5));
        assertThrows(IllegalArgumentException.class, () -> Datasets.split(counting(3), Double.NaN));
    }

    @Test
    void shuffledIsASeededPermutation() {
        Dataset d = counting(50);
        Dataset a = Datasets.shuffled(d, 7);
        Dataset b = Datasets.shuffled(d, 7);
        assertArrayEquals(a.labels(), b.labels());
        int[] order = Shuffle.permutation(50, 7);
        for (int i = 0; i < 50; i++) {
            assertEquals(d.label(order[i]), a.label(i));
            assertEquals(d.pixel(order[i], 0, 1, 0), a.pixel(i, 0, 1, 0));
        }
        assertArrayEquals(d.classCounts(), a.classCounts());
    }
}
