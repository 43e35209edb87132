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
     *
     * @param pixels size x C x H x W bytes, 0 to 255
     * @param labels one class index per image
     * @param channels 1 or 3
     * @param height rows per image
     * @param width columns per image
     * @param classNames the names, in class order
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

    /**
     * The number of images.
     *
     * @return the size
     */
    public int size() {
        return size;
    }

    /**
     * Channels per image: 1 (grayscale) or 3 (RGB).
     *
     * @return the channels
     */
    public int channels() {
        return channels;
    }

    /**
     * Rows per image.
     *
     * @return the height
     */
    public int height() {
        return height;
    }

    /**
     * Columns per image.
     *
     * @return the width
     */
    public int width() {
        return width;
    }

    /**
     * C x H x W: the number of values in one image.
     *
     * @return the values per image
     */
    public int imageSize() {
        return channels * height * width;
    }

    /**
     * The class names, in class order.
     *
     * @return the names
     */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * The class of one image.
     *
     * @param index the image, from 0
     * @return its class index
     */
    public int label(int index) {
        return labels[first + checkIndex(index)];
    }

    /**
     * A copy of the labels, in order.
     *
     * @return the labels
     */
    public int[] labels() {
        return Arrays.copyOfRange(labels, first, first + size);
    }

    /**
     * The byte 0..255 at (index, channel, y, x).
     *
     * @param index the image
     * @param channel the channel
     * @param y the row
     * @param x the column
     * @return the value
     */
    public int pixel(int index, int channel, int y, int x) {
        checkIndex(index);
        if (channel < 0 || channel >= channels || y < 0 || y >= height || x < 0 || x >= width) {
            throw new IndexOutOfBoundsException("pixel: expected channel < " + channels + ", y < " + height + ", x < "
                    + width + ". Received (" + channel + ", " + y + ", " + x + ")");
        }
        return pixels[offset(index) + (channel * height + y) * width + x] & 0xFF;
    }

    /**
     * Copies image {@code index} (C x H x W bytes) into {@code dst} at {@code dstOffset}.
     *
     * @param index the image
     * @param dst where to copy
     * @param dstOffset where in dst
     */
    public void copyImage(int index, byte[] dst, int dstOffset) {
        System.arraycopy(pixels, offset(checkIndex(index)), dst, dstOffset, imageSize());
    }

    /**
     * Writes image {@code index} as floats value / 255 (C x H x W) into {@code dst} at {@code dstOffset}.
     *
     * @param index the image
     * @param dst where to write
     * @param dstOffset where in dst
     */
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

    /**
     * Images [from, to) as a view sharing this data set's arrays.
     *
     * @param from the first image
     * @param to one past the last image
     * @return the view
     */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > size || from > to) {
            throw new IndexOutOfBoundsException("slice: expected 0 <= from <= to <= " + size + ". Received from="
                    + from + ", to=" + to);
        }
        return new Dataset(pixels, labels, first + from, to - from, channels, height, width, classNames);
    }

    /**
     * How many images carry each label, indexed like {@link #classNames()}.
     *
     * @return one count per class
     */
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
