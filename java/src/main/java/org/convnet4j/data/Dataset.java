package org.convnet4j.data;

import java.util.Arrays;
import java.util.List;

/**
 * An in-memory labelled image set. Pixels are kept as bytes 0..255 in N x C x H x W order (C = 1 for
 * grayscale, 3 for RGB in R, G, B order): a quarter of the memory of floats, so CIFAR-10's 50,000
 * training images take 150 MiB rather than 600. Scaling to floats in [0, 1] (value / 255) happens
 * only when a batch is assembled ({@link #copyScaled}).
 *
 * <p>A data set is immutable once built; {@link #slice} returns a view that shares the arrays.
 */
public final class Dataset {
    /** value / 255f for every byte value; the same float division Keras' {@code x / 255} rounds to. */
    private static final float[] SCALE = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            SCALE[v] = v / 255f;
        }
    }

    private final byte[] pixels;
    private final int[] labels;
    private final int first;
    private final int size;
    private final int channels;
    private final int height;
    private final int width;
    private final List<String> classNames;

    /**
     * Adopts the arrays without copying them (a data set can be hundreds of MiB); the caller must not
     * change them afterwards. Every label must index {@code classNames}.
     */
    public Dataset(byte[] pixels, int[] labels, int channels, int height, int width, List<String> classNames) {
        this(pixels, labels, 0, labels.length, channels, height, width, List.copyOf(classNames));
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("Dataset: expected 1 (grayscale) or 3 (RGB) channels. Received channels="
                    + channels);
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("Dataset: expected a positive image size. Received height=" + height
                    + ", width=" + width);
        }
        long expected = (long) labels.length * channels * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("Dataset: expected " + expected + " pixel bytes for " + labels.length
                    + " images of " + channels + " x " + height + " x " + width + ". Received " + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("Dataset: label " + labels[i] + " of image " + i + " is outside 0.."
                        + (classNames.size() - 1) + " (" + classNames.size() + " class names)");
            }
        }
    }

    private Dataset(byte[] pixels, int[] labels, int first, int size, int channels, int height, int width,
            List<String> classNames) {
        this.pixels = pixels;
        this.labels = labels;
        this.first = first;
        this.size = size;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classNames = classNames;
    }

    public int size() {
        return size;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** C x H x W: the number of values in one image. */
    public int imageSize() {
        return channels * height * width;
    }

    public List<String> classNames() {
        return classNames;
    }

    public int label(int index) {
        return labels[first + checkIndex(index)];
    }

    /** A copy of the labels, in order. */
    public int[] labels() {
        return Arrays.copyOfRange(labels, first, first + size);
    }

    /** The byte 0..255 at (index, channel, y, x). */
    public int pixel(int index, int channel, int y, int x) {
        checkIndex(index);
        if (channel < 0 || channel >= channels || y < 0 || y >= height || x < 0 || x >= width) {
            throw new IndexOutOfBoundsException("pixel: expected channel < " + channels + ", y < " + height + ", x < "
                    + width + ". Received (" + channel + ", " + y + ", " + x + ")");
        }
        return pixels[offset(index) + (channel * height + y) * width + x] & 0xFF;
    }

    /** Copies image {@code index} (C x H x W bytes) into {@code dst} at {@code dstOffset}. */
    public void copyImage(int index, byte[] dst, int dstOffset) {
        System.arraycopy(pixels, offset(checkIndex(index)), dst, dstOffset, imageSize());
    }

    /** Writes image {@code index} as floats value / 255 (C x H x W) into {@code dst} at {@code dstOffset}. */
    public void copyScaled(int index, float[] dst, int dstOffset) {
        int src = offset(checkIndex(index));
        int n = imageSize();
        if (dstOffset < 0 || dstOffset + n > dst.length) {
            throw new IndexOutOfBoundsException("copyScaled: expected room for " + n + " floats at offset " + dstOffset
                    + ". Received an array of " + dst.length);
        }
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = SCALE[pixels[src + i] & 0xFF];
        }
    }

    /** Images [from, to) as a view sharing this data set's arrays. */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > size || from > to) {
            throw new IndexOutOfBoundsException("slice: expected 0 <= from <= to <= " + size + ". Received from="
                    + from + ", to=" + to);
        }
        return new Dataset(pixels, labels, first + from, to - from, channels, height, width, classNames);
    }

    /** How many images carry each label, indexed like {@link #classNames()}. */
    public int[] classCounts() {
        int[] counts = new int[classNames.size()];
        for (int i = first; i < first + size; i++) {
            counts[labels[i]]++;
        }
        return counts;
    }

    @Override
    public String toString() {
        return "Dataset[" + size + " x " + channels + " x " + height + " x " + width + ", classes=" + classNames + "]";
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("Dataset: expected an image index in 0.." + (size - 1) + ". Received "
                    + index);
        }
        return index;
    }

    private int offset(int index) {
        return (first + index) * imageSize();
    }
}
