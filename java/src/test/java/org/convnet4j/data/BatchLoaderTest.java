package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
    /** n images of 1 x 1 x 2: pixel bytes (i mod 256, 255), label i mod 3, so a batch entry names its image. */
    private static Dataset indexed(int n) {
        byte[] pixels = new byte[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            pixels[2 * i] = (byte) i;
            pixels[2 * i + 1] = (byte) 255;
            labels[i] = i % 3;
        }
        return new Dataset(pixels, labels, 1, 1, 2, List.of("a", "b", "c"));
    }

    /** The image indices each epoch visited, read back from the first pixel (n <= 256). */
    private static List<List<Integer>> visit(BatchLoader loader) {
        List<List<Integer>> epochs = new ArrayList<>();
        for (Batch b : loader) {
            if (b.index() == 0) {
                epochs.add(new ArrayList<>());
            }
            for (int j = 0; j < b.count(); j++) {
                int image = Math.round(b.images()[2 * j] * 255);
                assertEquals(1f, b.images()[2 * j + 1]);
                assertEquals(image % 3, b.labels()[j]);
                epochs.get(epochs.size() - 1).add(image);
            }
        }
        return epochs;
    }

    @Test
    void everyImageOncePerEpochWithAPartialLastBatch() {
        try (BatchLoader loader = BatchLoader.shuffled(indexed(70), 32, 42, 0, 3)) {
            assertEquals(3, loader.batchesPerEpoch());
            List<Integer> counts = new ArrayList<>();
            List<List<Integer>> epochs = new ArrayList<>();
            for (Batch b : loader) {
                counts.add(b.count());
                assertEquals(counts.size() % 3 == 0, b.lastInEpoch());
                assertEquals((counts.size() - 1) % 3, b.index());
                if (b.index() == 0) {
                    epochs.add(new ArrayList<>());
                }
                for (int j = 0; j < b.count(); j++) {
                    epochs.get(b.epoch()).add(Math.round(b.images()[2 * j] * 255));
                }
                if (b.count() < 32) {
                    assertEquals(0f, b.images()[2 * b.count()]);
                    assertArrayEquals(new long[] {6, 1, 1, 2}, b.shape().dims());
                }
            }
            assertEquals(List.of(32, 32, 6, 32, 32, 6, 32, 32, 6), counts);
            for (List<Integer> e : epochs) {
                List<Integer> sorted = new ArrayList<>(e);
                sorted.sort(null);
                assertEquals(70, sorted.size());
                for (int i = 0; i < 70; i++) {
                    assertEquals(i, sorted.get(i));
                }
            }
            assertNotEquals(epochs.get(0), epochs.get(1));
            assertFalse(loader.hasNext());
        }
    }

    @Test
    void resumingAtAnEpochReproducesThatEpoch() {
        Dataset d = indexed(200);
        List<List<Integer>> full;
        List<List<Integer>> resumed;
        List<List<Integer>> otherSeed;
        try (BatchLoader a = BatchLoader.shuffled(d, 16, 9, 0, 4)) {
            full = visit(a);
        }
        try (BatchLoader b = BatchLoader.shuffled(d, 16, 9, 2, 2)) {
            resumed = visit(b);
        }
        try (BatchLoader c = BatchLoader.shuffled(d, 16, 10, 2, 1)) {
            otherSeed = visit(c);
        }
        assertEquals(full.subList(2, 4), resumed);
        assertNotEquals(full.get(2), otherSeed.get(0));
        assertNotEquals(full.get(2), full.get(3));
        assertEquals(Arrays.stream(Shuffle.epochOrder(200, 9, 3)).boxed().toList(), full.get(3));
    }

    @Test
    void inOrderPassScalesPixelsBy255() {
        byte[] pixels = {0, 1, (byte) 128, (byte) 255, 7, 8};
        Dataset d = new Dataset(pixels, new int[] {1, 0, 1}, 1, 1, 2, List.of("x", "y"));
        try (BatchLoader loader = BatchLoader.inOrder(d, 2)) {
            Batch first = loader.next();
            assertArrayEquals(new float[] {0f, 1 / 255f, 128 / 255f, 1f}, first.images());
            assertArrayEquals(new int[] {1, 0}, first.labels());
            Batch second = loader.next();
            assertEquals(1, second.count());
            assertArrayEquals(new float[] {7 / 255f, 8 / 255f, 0f, 0f}, second.images());
            assertFalse(loader.hasNext());
            assertThrows(NoSuchElementException.class, loader::next);
        }
    }

    @Test
    void batchesComeFromASmallRingOfArrays() {
        try (BatchLoader loader = BatchLoader.shuffled(indexed(100), 4, 1, 0, 2)) {
            Set<float[]> arrays = Collections.newSetFromMap(new IdentityHashMap<>());
            while (loader.hasNext()) {
                arrays.add(loader.next().images());
            }
            assertEquals(BatchLoader.PREFETCH + 2, arrays.size());
        }
    }

    @Test
    void loaderThreadFailureReachesTheConsumerWithContext() {
        Dataset d = indexed(40);
        BatchLoader.Filler failing = (index, dst, offset) -> {
            if (index == 25) {
                throw new IllegalStateException("image 25 is broken");
            }
            d.copyScaled(index, dst, offset);
        };
        try (BatchLoader loader = BatchLoader.start(d, failing, 10, false, 0, 0, 1)) {
            assertEquals(10, loader.next().count());
            assertEquals(10, loader.next().count());
            DataException e = assertThrows(DataException.class, loader::next);
            assertTrue(e.getMessage().contains("epoch 0, batch 2") && e.getMessage().contains("image 25 is broken"),
                    e.getMessage());
            assertTrue(e.getCause() instanceof IllegalStateException);
            assertThrows(DataException.class, loader::next); // again, rather than blocking
        }
    }

    @Test
    void closeStopsTheThreadPromptly() throws InterruptedException {
        BatchLoader loader = BatchLoader.shuffled(indexed(256), 8, 3, 0, 1000);
        loader.next(); // the producer is now blocked on a full queue
        Thread.sleep(50);
        assertTrue(loader.threadAlive());
        long start = System.nanoTime();
        loader.close();
        assertFalse(loader.threadAlive());
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "close took too long");
        assertFalse(loader.hasNext());
        assertThrows(IllegalStateException.class, loader::next);
        boolean leaked = Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("convnet4j-batch-loader") && t.isAlive());
        assertFalse(leaked, "a batch loader thread is still running");
    }

    @Test
    void iteratorIsSingleUse() {
        try (BatchLoader loader = BatchLoader.inOrder(indexed(3), 2)) {
            loader.iterator();
            assertThrows(IllegalStateException.class, loader::iterator);
        }
    }
}
