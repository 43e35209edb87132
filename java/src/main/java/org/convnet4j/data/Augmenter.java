package org.convnet4j.data;

import java.util.SplittableRandom;

/**
 * Applies an {@link Augmentation} to images in a batch, in place, on the loader thread (one augmenter
 * per loader: its scratch image is not shared). Image i of epoch e draws from its own generator,
 * seeded from (seed, e, i) through the same scrambling as {@link Shuffle}, so the draws depend on
 * nothing else: not the batch the image lands in, not the thread timing.
 */
final class Augmenter {
    /** Keeps the augmentation's draws apart from the shuffle's, which start from the same seed. */
    private static final long SALT = 0x6A09E667F3BCC909L;

    private final Augmentation a;
    private final long seed;
    private final int channels;
    private final int height;
    private final int width;
    private final float[] scratch;

    Augmenter(Augmentation a, long seed, int channels, int height, int width) {
        this.a = a;
        this.seed = seed;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.scratch = new float[channels * height * width];
    }

    /** Augments the C x H x W image at {@code offset} of {@code images}: image {@code index} of {@code epoch}. */
    void apply(float[] images, int offset, int epoch, int index) {
        SplittableRandom r = new SplittableRandom(Shuffle.epochSeed(Shuffle.epochSeed(seed ^ SALT, epoch), index));
        if (a.flip() && r.nextBoolean()) {
            flip(images, offset);
        }
        if (a.cropPadding() > 0) {
            int p = a.cropPadding();
            shift(images, offset, r.nextInt(-p, p + 1), r.nextInt(-p, p + 1), false);
        }
        if (a.translate() > 0) {
            int dy = (int) Math.round((2 * r.nextDouble() - 1) * a.translate() * height);
            int dx = (int) Math.round((2 * r.nextDouble() - 1) * a.translate() * width);
            shift(images, offset, dy, dx, true);
        }
    }

    /** Mirrors each row left to right. */
    private void flip(float[] img, int offset) {
        for (int row = 0; row < channels * height; row++) {
            int base = offset + row * width;
            for (int x = 0, y = width - 1; x < y; x++, y--) {
                float t = img[base + x];
                img[base + x] = img[base + y];
                img[base + y] = t;
            }
        }
    }

    /**
     * Moves the image down by dy and right by dx pixels: out(y, x) = in(y - dy, x - dx). Where that
     * falls outside, zero, or with {@code reflect} Keras' "reflect" fill (d c b a | a b c d | d c b a).
     */
    private void shift(float[] img, int offset, int dy, int dx, boolean reflect) {
        if (dy == 0 && dx == 0) {
            return;
        }
        System.arraycopy(img, offset, scratch, 0, scratch.length);
        for (int c = 0; c < channels; c++) {
            int plane = c * height * width;
            for (int y = 0; y < height; y++) {
                int sy = source(y - dy, height, reflect);
                for (int x = 0; x < width; x++) {
                    int sx = source(x - dx, width, reflect);
                    img[offset + plane + y * width + x] = sy < 0 || sx < 0 ? 0f : scratch[plane + sy * width + sx];
                }
            }
        }
    }

    /** The source row or column for k, or -1 for a zero fill. */
    static int source(int k, int n, boolean reflect) {
        if (k >= 0 && k < n) {
            return k;
        }
        if (!reflect) {
            return -1;
        }
        int period = 2 * n;
        int m = Math.floorMod(k, period);
        return m < n ? m : period - 1 - m;
    }
}
