package org.convnet4j.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One image (a JPEG or PNG file, its bytes, or a {@link BufferedImage}) as a model's input: C x H x W
 * floats in [0, 1], made exactly as the data loaders make a training image. The image is decoded by
 * {@link ImageDecoder} (RGB, alpha dropped, gray replicated, no color management), resized to
 * height x width with {@link BilinearResize} and rounded to bytes, then scaled by
 * {@link Dataset#copyScaled} (value / 255), so a file predicted gives the same floats as the same file
 * in an {@link ImageFolder} data set.
 *
 * <p>{@code channels} is 3 (R, G, B planes) or 1: a grayscale model gets the luminance
 * {@code round(0.299 R + 0.587 G + 0.114 B)} (ITU-R BT.601, as {@code tf.image.rgb_to_grayscale}), taken
 * before resizing; a gray image's luminance is its own value, so a Fashion-MNIST image saved as a gray
 * PNG comes back as the bytes of the IDX file.
 *
 * <p>The limits {@link DataLimits#current()} apply as to a data set's files: a file over
 * {@link DataLimits#maxEntryBytes()} is refused before it is read, an image over
 * {@link DataLimits#maxImagePixels()} before it is decoded ({@link DataLimitException}). Any other
 * failure is a {@link DataException} naming the file.
 */
public final class ImageInput {
    private ImageInput() {
    }

    /**
     * Reads, decodes, resizes and scales the image file at {@code file}.
     *
     * @param file a JPEG, PNG, GIF or BMP file
     * @param channels the model's input channels: 1 takes the luminance, 3 RGB
     * @param height the model's input height
     * @param width the model's input width
     * @return channels x height x width floats in [0, 1]
     */
    public static float[] fromFile(Path file, int channels, int height, int width) {
        checkShape(channels, height, width);
        DataLimits limits = DataLimits.current();
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new DataNotFoundException(name + ": no such image file");
        }
        byte[] encoded;
        try (InputStream in = Files.newInputStream(file)) {
            long size = Files.size(file);
            if (size > limits.entryLimit()) {
                throw new DataLimitException(name + ": " + DataLimits.bytes(size) + ", over " + limits.entryLimitText());
            }
            encoded = ImageSource.readLimited(in, size, limits, name);
        } catch (IOException e) {
            throw new DataException(name + ": cannot read file: " + e, e);
        }
        return scaled(ImageDecoder.decode(encoded, name, limits), channels, height, width);
    }

    /**
     * As {@link #fromFile}, for the encoded bytes of an image; errors call it "image".
     *
     * @param encoded the file's bytes
     * @param channels the model's input channels: 1 takes the luminance, 3 RGB
     * @param height the model's input height
     * @param width the model's input width
     * @return channels x height x width floats in [0, 1]
     */
    public static float[] fromBytes(byte[] encoded, int channels, int height, int width) {
        return fromBytes(encoded, "image", channels, height, width);
    }

    /**
     * As {@link #fromFile}, for the encoded bytes of an image; {@code name} names it in errors.
     *
     * @param encoded the file's bytes
     * @param name what errors call it
     * @param channels the model's input channels: 1 takes the luminance, 3 RGB
     * @param height the model's input height
     * @param width the model's input width
     * @return channels x height x width floats in [0, 1]
     */
    public static float[] fromBytes(byte[] encoded, String name, int channels, int height, int width) {
        checkShape(channels, height, width);
        DataLimits limits = DataLimits.current();
        if (encoded.length > limits.entryLimit()) {
            throw new DataLimitException(name + ": " + DataLimits.bytes(encoded.length) + ", over "
                    + limits.entryLimitText());
        }
        return scaled(ImageDecoder.decode(encoded, name, limits), channels, height, width);
    }

    /**
     * As {@link #fromFile}, for an image already decoded; its pixels are read as a decoded file's would be.
     *
     * @param image the decoded image
     * @param channels the model's input channels: 1 takes the luminance, 3 RGB
     * @param height the model's input height
     * @param width the model's input width
     * @return channels x height x width floats in [0, 1]
     */
    public static float[] fromImage(BufferedImage image, int channels, int height, int width) {
        checkShape(channels, height, width);
        DataLimits.current().checkImage("image", image.getWidth(), image.getHeight());
        return scaled(ImageDecoder.fromImage(image), channels, height, width);
    }

    /** Resized to bytes as {@link ImageFolder} does, then scaled through the data set's own code. */
    private static float[] scaled(ImageDecoder.Rgb rgb, int channels, int height, int width) {
        byte[] planes = channels == 3 ? rgb.planes() : luminance(rgb);
        byte[] pixels = new byte[channels * height * width];
        BilinearResize.resize(planes, channels, rgb.height(), rgb.width(), pixels, 0, height, width);
        Dataset one = new Dataset(pixels, new int[1], channels, height, width, List.of("image"));
        float[] out = new float[one.imageSize()];
        one.copyScaled(0, out, 0);
        return out;
    }

    private static byte[] luminance(ImageDecoder.Rgb rgb) {
        int n = rgb.height() * rgb.width();
        byte[] p = rgb.planes();
        byte[] gray = new byte[n];
        for (int i = 0; i < n; i++) {
            int r = p[i] & 0xFF;
            int g = p[n + i] & 0xFF;
            int b = p[2 * n + i] & 0xFF;
            gray[i] = (byte) ((299 * r + 587 * g + 114 * b + 500) / 1000);
        }
        return gray;
    }

    private static void checkShape(int channels, int height, int width) {
        if ((channels != 1 && channels != 3) || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("ImageInput: expected 1 or 3 channels and a positive height and width."
                    + " Received " + channels + " x " + height + " x " + width);
        }
    }
}
