package org.convnet4j.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Streams batches of a {@link Dataset} for one or more epochs, assembled on one background thread so
 * that the training step never waits for pixel scaling: up to {@link #PREFETCH} finished batches wait in
 * a queue while the next one is being filled, across epoch boundaries too.
 *
 * <p>Order: each epoch of a shuffled loader visits the images in {@link Shuffle#epochOrder}(n, seed,
 * epoch), which depends only on the seed and the epoch number, so starting at {@code firstEpoch = k}
 * reproduces epoch k of an uninterrupted run. The last batch of an epoch is kept even when smaller, as
 * Keras does. A shuffled loader may also augment its images ({@link Augmentation}, off unless given),
 * here on the loader thread, with draws that depend only on (seed, epoch, image).
 *
 * <p>Memory: batches come from a ring of {@code PREFETCH + 2} preallocated {@link Batch} objects (the
 * queued ones, the one being filled, the one the consumer holds), so steady state allocates nothing
 * per batch; a batch is overwritten only after the consumer has moved past it.
 *
 * <p>An exception on the loader thread is rethrown by {@link #next()} as a {@link DataException}
 * naming the epoch and batch. Close the loader (try-with-resources) to stop the thread. One thread
 * consumes: the iterator methods are not safe to call from several threads.
 */
public final class BatchLoader implements Iterator<Batch>, Iterable<Batch>, AutoCloseable {
    /** Finished batches that may wait in the queue. */
    public static final int PREFETCH = 2;

    /** Writes image {@code index} as floats into {@code dst} at {@code offset}; a seam for tests. */
    interface Filler {
        void fill(int index, float[] dst, int offset);
    }

    private static final long JOIN_MILLIS = 10_000;

    private final Dataset data;
    private final Filler filler;
    private final Augmenter augmenter;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int firstEpoch;
    private final int epochs;
    private final int batchesPerEpoch;
    private final long totalBatches;
    private final Batch[] ring;
    private final Batch failed;
    private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(PREFETCH);
    private final Thread thread;
    private volatile DataException failure;
    private long delivered;
    private boolean iterated;
    private volatile boolean closed;

    /**
     * A loader over {@code epochs} epochs starting at {@code firstEpoch}, each in its own seeded order.
     *
     * @param data the data set
     * @param batchSize images per batch
     * @param seed the run's seed; each epoch's order derives from it
     * @param firstEpoch the first epoch, from 0
     * @param epochs how many epochs
     * @return a loader the caller must close
     */
    public static BatchLoader shuffled(Dataset data, int batchSize, long seed, int firstEpoch, int epochs) {
        return shuffled(data, batchSize, seed, firstEpoch, epochs, Augmentation.NONE);
    }

    /**
     * As {@link #shuffled(Dataset, int, long, int, int)}, each image augmented as {@code augmentation} says.
     *
     * @param data the data set
     * @param batchSize images per batch
     * @param seed the run's seed; each epoch's order derives from it
     * @param firstEpoch the first epoch, from 0
     * @param epochs how many epochs
     * @param augmentation how to augment each image
     * @return a loader the caller must close
     */
    public static BatchLoader shuffled(Dataset data, int batchSize, long seed, int firstEpoch, int epochs,
            Augmentation augmentation) {
        return start(data, data::copyScaled, batchSize, true, seed, firstEpoch, epochs, augmentation);
    }

    /**
     * One pass in the data set's order (epoch 0), for evaluation.
     *
     * @param data the data set
     * @param batchSize images per batch
     * @return a loader the caller must close
     */
    public static BatchLoader inOrder(Dataset data, int batchSize) {
        return start(data, data::copyScaled, batchSize, false, 0, 0, 1);
    }

    static BatchLoader start(Dataset data, Filler filler, int batchSize, boolean shuffle, long seed, int firstEpoch,
            int epochs) {
        return start(data, filler, batchSize, shuffle, seed, firstEpoch, epochs, Augmentation.NONE);
    }

    static BatchLoader start(Dataset data, Filler filler, int batchSize, boolean shuffle, long seed, int firstEpoch,
            int epochs, Augmentation augmentation) {
        BatchLoader loader = new BatchLoader(data, filler, batchSize, shuffle, seed, firstEpoch, epochs, augmentation);
        loader.thread.start();
        return loader;
    }

    private BatchLoader(Dataset data, Filler filler, int batchSize, boolean shuffle, long seed, int firstEpoch,
            int epochs, Augmentation augmentation) {
        if (batchSize <= 0 || firstEpoch < 0 || epochs < 0) {
            throw new IllegalArgumentException("BatchLoader: expected batchSize > 0, firstEpoch >= 0, epochs >= 0. "
                    + "Received batchSize=" + batchSize + ", firstEpoch=" + firstEpoch + ", epochs=" + epochs);
        }
        this.data = data;
        this.filler = filler;
        this.augmenter = augmentation.isNone() ? null
                : new Augmenter(augmentation, seed, data.channels(), data.height(), data.width());
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.firstEpoch = firstEpoch;
        this.epochs = epochs;
        this.batchesPerEpoch = (data.size() + batchSize - 1) / batchSize;
        this.totalBatches = (long) batchesPerEpoch * epochs;
        int capacity = Math.min(batchSize, Math.max(data.size(), 1));
        this.ring = new Batch[PREFETCH + 2];
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new Batch(capacity, data.channels(), data.height(), data.width());
        }
        this.failed = new Batch(0, data.channels(), data.height(), data.width());
        this.thread = new Thread(this::produce, "convnet4j-batch-loader");
        thread.setDaemon(true);
    }

    /**
     * Batches per epoch: ceil(size / batchSize).
     *
     * @return the batches per epoch
     */
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** The loader is its own, single-use iterator, so it can drive a for-each loop once. */
    @Override
    public Iterator<Batch> iterator() {
        if (iterated) {
            throw new IllegalStateException("BatchLoader: iterator() may be called once; create a new loader"
                    + " for another pass");
        }
        iterated = true;
        return this;
    }

    @Override
    public boolean hasNext() {
        return !closed && delivered < totalBatches;
    }

    @Override
    public Batch next() {
        if (closed) {
            throw new IllegalStateException("BatchLoader: next() after close()");
        }
        if (delivered >= totalBatches) {
            throw new NoSuchElementException("BatchLoader: all " + totalBatches + " batches were delivered");
        }
        Batch batch;
        try {
            batch = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("BatchLoader: interrupted while waiting for batch " + delivered, e);
        }
        if (batch == failed) {
            queue.offer(failed); // a later call sees the same failure instead of blocking forever
            throw failure;
        }
        delivered++;
        return batch;
    }

    /** Stops the loader thread and waits for it to end. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether the background thread is still running (false after {@link #close()}).
     *
     * @return whether the loading thread runs
     */
    public boolean threadAlive() {
        return thread.isAlive();
    }

    private void produce() {
        int epoch = firstEpoch;
        int b = 0;
        try {
            long k = 0;
            for (; epoch < firstEpoch + epochs; epoch++) {
                int[] order = shuffle ? Shuffle.epochOrder(data.size(), seed, epoch) : null;
                for (b = 0; b < batchesPerEpoch; b++) {
                    Batch batch = ring[(int) (k++ % ring.length)];
                    fill(batch, order, epoch, b);
                    while (!queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
                        if (closed) {
                            return;
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts a put that waits for the consumer; nothing more to do.
        } catch (RuntimeException | Error e) {
            failure = new DataException("BatchLoader thread failed assembling epoch " + epoch + ", batch " + b
                    + " of " + batchesPerEpoch + " (batch size " + batchSize + ", " + data + "): " + e, e);
            try {
                queue.put(failed); // after the batches already queued, so the consumer gets those first
            } catch (InterruptedException closing) {
                // closed while waiting: nobody is left to tell
            }
        }
    }

    private void fill(Batch batch, int[] order, int epoch, int index) {
        int from = index * batchSize;
        int count = Math.min(batchSize, data.size() - from);
        int imageSize = data.imageSize();
        float[] images = batch.images();
        int[] labels = batch.labels();
        for (int j = 0; j < count; j++) {
            int i = order == null ? from + j : order[from + j];
            filler.fill(i, images, j * imageSize);
            if (augmenter != null) {
                augmenter.apply(images, j * imageSize, epoch, i);
            }
            labels[j] = data.label(i);
        }
        if (count < labels.length) {
            Arrays.fill(images, count * imageSize, images.length, 0f);
            Arrays.fill(labels, count, labels.length, 0);
        }
        batch.count = count;
        batch.epoch = epoch;
        batch.index = index;
        batch.lastInEpoch = index == batchesPerEpoch - 1;
    }
}
