package org.convnet4j.train;

import java.util.SplittableRandom;

/**
 * A separable image classification set for training tests: each class has a random 28 x 28
 * prototype of values in [0, 1]; a sample is 0.7 * its class's prototype + 0.3 * uniform noise, so
 * the classes are far apart and a small network learns them in a few dozen steps.
 */
final class SyntheticImages {
    static final int SIDE = 28;
    static final int PIXELS = SIDE * SIDE;

    final float[] images;
    final int[] labels;

    private SyntheticImages(float[] images, int[] labels) {
        this.images = images;
        this.labels = labels;
    }

    static SyntheticImages make(int count, int classes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] prototypes = new float[classes][PIXELS];
        for (float[] p : prototypes) {
            for (int i = 0; i < PIXELS; i++) {
                p[i] = (float) rnd.nextDouble();
            }
        }
        float[] images = new float[count * PIXELS];
        int[] labels = new int[count];
        for (int n = 0; n < count; n++) {
            labels[n] = n % classes;
            for (int i = 0; i < PIXELS; i++) {
                images[n * PIXELS + i] = (float) (0.7 * prototypes[labels[n]][i] + 0.3 * rnd.nextDouble());
            }
        }
        return new SyntheticImages(images, labels);
    }

    int count() {
        return labels.length;
    }

    /** Images first .. first + count - 1 (wrapping around the set). */
    float[] images(int first, int count) {
        float[] out = new float[count * PIXELS];
        for (int k = 0; k < count; k++) {
            int n = (first + k) % count();
            System.arraycopy(images, n * PIXELS, out, k * PIXELS, PIXELS);
        }
        return out;
    }

    int[] labels(int first, int count) {
        int[] out = new int[count];
        for (int k = 0; k < count; k++) {
            out[k] = labels[(first + k) % count()];
        }
        return out;
    }
}
