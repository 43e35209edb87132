package org.convnet4j.data;

import java.util.SplittableRandom;

/**
 * Seeded permutations. The order of an epoch depends only on (seed, epoch), never on earlier epochs,
 * so a run resumed at epoch k visits the images in the same order as one that never stopped.
 */
public final class Shuffle {
    private Shuffle() {
    }

    /**
     * A Fisher-Yates permutation of 0..n-1 drawn from {@code seed}.
     *
     * @param n the number of elements
     * @param seed the seed
     * @return the permutation
     */
    public static int[] permutation(int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("permutation: expected n >= 0. Received n=" + n);
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * The visiting order of epoch {@code epoch} (0-based) for a run seeded with {@code seed}.
     *
     * @param n the number of images
     * @param seed the run's seed
     * @param epoch the epoch, from 0
     * @return the image indices in visiting order
     */
    public static int[] epochOrder(int n, long seed, int epoch) {
        return permutation(n, epochSeed(seed, epoch));
    }

    /**
     * Every SplittableRandom stream is the same sequence entered at a different point, so the per-epoch
     * seeds are scrambled (SplitMix64's finalizer) to enter it at unrelated points, not one step apart.
     */
    static long epochSeed(long seed, int epoch) {
        return mix64(mix64(seed) + epoch);
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
