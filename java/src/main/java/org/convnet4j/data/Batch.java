package org.convnet4j.data;

import org.convnet4j.tensor.Shape;

/**
 * One batch from a {@link BatchLoader}: {@code count} images as floats in [0, 1] (count x C x H x W)
 * and their labels. The arrays are sized for a full batch and reused by the loader; only the first
 * {@code count} images and labels are meaningful (the rest are zero, in an epoch's last, smaller batch).
 * A batch stays valid until the consumer calls {@link BatchLoader#next()} again.
 */
public final class Batch {
    private final float[] images;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    int count;
    int epoch;
    int index;
    boolean lastInEpoch;

    Batch(int capacity, int channels, int height, int width) {
        this.images = new float[capacity * channels * height * width];
        this.labels = new int[capacity];
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /**
     * count x C x H x W floats, value / 255; the array is shared with the loader (see the class comment).
     *
     * @return the images
     */
    public float[] images() {
        return images;
    }

    /**
     * Class indices; the first {@link #count()} are meaningful.
     *
     * @return the labels
     */
    public int[] labels() {
        return labels;
    }

    /**
     * The number of images in this batch: the batch size, or fewer in an epoch's last batch.
     *
     * @return the count
     */
    public int count() {
        return count;
    }

    /**
     * The epoch this batch belongs to, counted from 0.
     *
     * @return the epoch
     */
    public int epoch() {
        return epoch;
    }

    /**
     * The position of this batch within its epoch, from 0.
     *
     * @return the index
     */
    public int index() {
        return index;
    }

    /**
     * Whether this is its epoch's last batch.
     *
     * @return true for the last batch
     */
    public boolean lastInEpoch() {
        return lastInEpoch;
    }

    /**
     * (count, C, H, W).
     *
     * @return the images' shape
     */
    public Shape shape() {
        return Shape.of(count, channels, height, width);
    }

    @Override
    public String toString() {
        return "Batch[epoch " + epoch + ", index " + index + ", " + count + " x " + channels + " x " + height + " x "
                + width + "]";
    }
}
