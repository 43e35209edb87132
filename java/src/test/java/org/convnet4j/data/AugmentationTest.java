package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The augmentation steps on images small enough to check pixel by pixel, their draws seeded and
 * reproducible, their text form, and the loader: off by default, the same batches for the same seed,
 * and a resumed epoch augmented as the uninterrupted one.
 */
class AugmentationTest {
    private static final int H = 4;
    private static final int W = 5;

    /** One 2 x 4 x 5 image whose pixel (c, y, x) is c * 100 + y * 10 + x + 1 (never 0). */
    private static float[] numbered() {
        float[] img = new float[2 * H * W];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    img[(c * H + y) * W + x] = c * 100 + y * 10 + x + 1;
                }
            }
        }
        return img;
    }

    private static float at(float[] img, int c, int y, int x) {
        return img[(c * H + y) * W + x];
    }

    /** The shift (dy, dx) of an augmented numbered() image: where a surviving pixel came from. */
    private static int[] shiftOf(float[] after) {
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                float v = at(after, 0, y, x);
                if (v != 0 && at(after, 1, y, x) == v + 100) {
                    int sy = ((int) v - 1) / 10;
                    int sx = ((int) v - 1) % 10;
                    return new int[] {y - sy, x - sx};
                }
            }
        }
        throw new AssertionError("no pixel survived: " + Arrays.toString(after));
    }

    @Test
    void flipMirrorsEveryRowAboutHalfTheTime() {
        Augmenter flip = new Augmenter(Augmentation.NONE.withFlip(), 7, 2, H, W);
        int flipped = 0;
        for (int i = 0; i < 400; i++) {
            float[] img = numbered();
            flip.apply(img, 0, 0, i);
            boolean mirrored = at(img, 0, 0, 0) == 5;
            flipped += mirrored ? 1 : 0;
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        int sx = mirrored ? W - 1 - x : x;
                        assertEquals(c * 100 + y * 10 + sx + 1, at(img, c, y, x));
                    }
                }
            }
        }
        assertTrue(flipped > 160 && flipped < 240, "flipped " + flipped + " of 400");
    }

    /** Pad 2 and crop: every shift in [-2, 2] x [-2, 2] occurs, the rest of the image moves with it, zeros come in. */
    @Test
    void cropWithPaddingShiftsByUpToThePaddingWithZerosComingIn() {
        Augmenter crop = new Augmenter(Augmentation.NONE.withCrop(2), 7, 2, H, W);
        Set<List<Integer>> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            float[] img = numbered();
            crop.apply(img, 0, 3, i);
            int[] s = shiftOf(img);
            seen.add(List.of(s[0], s[1]));
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        int sy = y - s[0];
                        int sx = x - s[1];
                        boolean inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
                        assertEquals(inside ? c * 100 + sy * 10 + sx + 1 : 0, at(img, c, y, x), "shift " + s[0] + ","
                                + s[1]);
                    }
                }
            }
        }
        assertEquals(25, seen.size(), "every shift of [-2, 2]^2: " + seen);
    }

    /** Keras' "reflect" fill: d c b a | a b c d | d c b a. */
    @Test
    void translationReflectsTheEdgesIntoTheGap() {
        assertEquals(List.of(1, 0, 0, 1, 2, 3, 4, 4, 3), List.of(-2, -1, 0, 1, 2, 3, 4, 5, 6).stream()
                .map(k -> Augmenter.source(k, 5, true)).toList());
        assertEquals(-1, Augmenter.source(-1, 5, false));
        assertEquals(-1, Augmenter.source(5, 5, false));
        Augmenter translate = new Augmenter(Augmentation.NONE.withTranslate(0.5), 11, 2, H, W);
        Set<List<Integer>> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            float[] img = numbered();
            translate.apply(img, 0, 1, i);
            List<Integer> shift = null;
            for (int ty = -2; ty <= 2 && shift == null; ty++) {
                for (int tx = -3; tx <= 3 && shift == null; tx++) {
                    shift = explains(img, ty, tx) ? List.of(ty, tx) : null;
                }
            }
            assertTrue(shift != null, "no reflected shift explains " + Arrays.toString(img));
            seen.add(shift);
        }
        assertTrue(seen.size() > 15, "shifts up to half the height (2) and width (2.5 rounds to 3): " + seen);
    }

    private static boolean explains(float[] img, int dy, int dx) {
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int sy = Augmenter.source(y - dy, H, true);
                    int sx = Augmenter.source(x - dx, W, true);
                    if (at(img, c, y, x) != c * 100 + sy * 10 + sx + 1) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** The draws depend on (seed, epoch, image) only: the same for the same three, different otherwise. */
    @Test
    void theSameSeedEpochAndImageGiveTheSameAugmentation() {
        Augmentation all = Augmentation.parse("flip,crop:2,translate:0.25");
        float[] a = augmented(all, 5, 2, 9);
        assertArrayEquals(a, augmented(all, 5, 2, 9));
        int differ = 0;
        for (int i = 0; i < 20; i++) {
            differ += Arrays.equals(augmented(all, 5, 2, i), augmented(all, 6, 2, i)) ? 0 : 1;
            differ += Arrays.equals(augmented(all, 5, 2, i), augmented(all, 5, 3, i)) ? 0 : 1;
        }
        assertTrue(differ > 30, "another seed or epoch draws differently: " + differ + " of 40 differ");
    }

    private static float[] augmented(Augmentation a, long seed, int epoch, int index) {
        float[] img = numbered();
        new Augmenter(a, seed, 2, H, W).apply(img, 0, epoch, index);
        return img;
    }

    @Test
    void theTextFormListsTheStepsAndRefusesAnythingElse() {
        assertEquals(new Augmentation(true, 4, 0.1), Augmentation.parse("flip,crop:4,translate:0.1"));
        assertEquals("flip,crop:4,translate:0.1", Augmentation.parse(" translate:0.1 , flip,crop:4").spec());
        assertEquals(Augmentation.NONE, Augmentation.parse("none"));
        assertEquals("none", Augmentation.NONE.spec());
        assertTrue(Augmentation.NONE.isNone());
        assertFalse(Augmentation.NONE.withFlip().isNone());
        for (String bad : List.of("", "rotate", "flip,flip", "crop", "crop:0", "crop:x", "translate:0",
                "translate:1.5", "flip;crop:4")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Augmentation.parse(bad), bad);
            assertTrue(e.getMessage().contains("Received '" + bad + "'"), e.getMessage());
        }
    }

    /** n RGB images of 4 x 5 with distinct non-zero pixels. */
    private static Dataset images(int n) {
        byte[] pixels = new byte[n * 3 * H * W];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 3 * H * W; p++) {
                pixels[i * 3 * H * W + p] = (byte) (1 + (i * 7 + p * 3) % 250);
            }
            labels[i] = i % 2;
        }
        return new Dataset(pixels, labels, 3, H, W, List.of("a", "b"));
    }

    private static List<float[]> batches(BatchLoader loader) {
        List<float[]> out = new ArrayList<>();
        for (Batch b : loader) {
            out.add(Arrays.copyOf(b.images(), b.count() * 3 * H * W));
        }
        return out;
    }

    @Test
    void theLoaderAugmentsReproduciblyResumesAndIsOffByDefault() {
        Dataset d = images(50);
        Augmentation all = Augmentation.parse("flip,crop:1,translate:0.2");
        List<float[]> plain = batches(BatchLoader.shuffled(d, 16, 3, 0, 3));
        List<float[]> none = batches(BatchLoader.shuffled(d, 16, 3, 0, 3, Augmentation.NONE));
        List<float[]> first = batches(BatchLoader.shuffled(d, 16, 3, 0, 3, all));
        List<float[]> again = batches(BatchLoader.shuffled(d, 16, 3, 0, 3, all));
        List<float[]> resumed = batches(BatchLoader.shuffled(d, 16, 3, 2, 1, all));
        assertEquals(12, first.size());
        for (int k = 0; k < first.size(); k++) {
            assertArrayEquals(plain.get(k), none.get(k), "off by default, batch " + k);
            assertArrayEquals(first.get(k), again.get(k), "the same seed, batch " + k);
            assertNotEquals(Arrays.toString(plain.get(k)), Arrays.toString(first.get(k)), "augmented, batch " + k);
        }
        for (int k = 0; k < 4; k++) {
            assertArrayEquals(first.get(8 + k), resumed.get(k), "epoch 2 resumed, batch " + k);
        }
        try (BatchLoader eval = BatchLoader.inOrder(d, 50)) {
            Batch b = eval.next();
            float[] img = new float[3 * H * W];
            d.copyScaled(0, img, 0);
            assertArrayEquals(img, Arrays.copyOf(b.images(), img.length), "evaluation never augments");
        }
    }
}
