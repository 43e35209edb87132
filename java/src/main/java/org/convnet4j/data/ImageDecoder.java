package org.convnet4j.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.w3c.dom.Node;

/**
 * Decodes one encoded image (JPEG, PNG, or anything else ImageIO reads) into planar RGB bytes, the way
 * {@code tf.io.decode_image(bytes, channels=3)} sees it:
 * <ul>
 * <li>gray (and gray + alpha) becomes three equal channels;</li>
 * <li>alpha is dropped, not composited;</li>
 * <li>samples are taken as stored, with no ICC color management (ImageIO's {@code getRGB} would convert
 *     gray from a linear to the sRGB curve, so 8-bit components are read from the raster);</li>
 * <li>16-bit samples keep their high byte (libpng's strip-16), 1-, 2- and 4-bit gray is scaled to 0..255;</li>
 * <li>CMYK and YCCK JPEGs are reread as a raw raster and converted with TensorFlow's naive formula
 *     (R = C x K / 255 when an Adobe marker says the inks are stored inverted, (255 - C)(255 - K) / 255
 *     otherwise) rather than ImageIO's color-managed conversion.</li>
 * </ul>
 * Errors are thrown as {@link DataException} with {@code name} (the file or zip entry) in the message; an
 * image whose header declares more pixels than {@link DataLimits#maxImagePixels()} is refused
 * ({@link DataLimitException}) before it is decoded.
 */
final class ImageDecoder {
    private ImageDecoder() {
    }

    /** A decoded image: 3 planes (R, G, B) of height x width bytes. */
    record Rgb(byte[] planes, int height, int width) {
    }

    /** As {@link #decode(byte[], String, DataLimits)} within the limits {@link DataLimits#current()}. */
    static Rgb decode(byte[] encoded, String name) {
        return decode(encoded, name, DataLimits.current());
    }

    /**
     * Decodes {@code encoded} once. Its width and height are read from its header first, and an image over
     * {@link DataLimits#maxImagePixels()} is refused before any pixel is decoded.
     */
    static Rgb decode(byte[] encoded, String name, DataLimits limits) {
        ImageReader reader = readerFor(encoded, name);
        try (ImageInputStream in = stream(encoded)) {
            reader.setInput(in);
            limits.checkImage(name + ": " + formatName(reader) + " image", reader.getWidth(0), reader.getHeight(0));
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            // read(0) decodes to the first of the image types; for a CMYK JPEG that is CMYK, which ImageIO
            // color-manages to RGB, while TensorFlow does not: the stored inks are read as a raster instead.
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            boolean cmyk = types.hasNext()
                    && types.next().getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK;
            Raster raster = cmyk ? reader.readRaster(0, null) : null;
            BufferedImage image = cmyk ? null : reader.read(0);
            for (String w : warnings) {
                if (isTruncation(w)) {
                    throw new DataException(name + ": truncated " + formatName(reader) + " image (" + encoded.length
                            + " bytes): " + String.join("; ", warnings));
                }
            }
            return cmyk ? fromCmyk(raster, adobeTransform(reader.getImageMetadata(0))) : fromImage(image);
        } catch (DataException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DataException(name + ": cannot decode " + formatName(reader) + " image (" + encoded.length
                    + " bytes): " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * ImageIO decodes a cut-off JPEG with only a warning; TensorFlow fails on it, and so do we. Other
     * warnings (extraneous bytes before a marker, ...) are accepted, as libjpeg accepts them.
     */
    private static boolean isTruncation(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("truncated") || w.contains("premature end");
    }

    private static ImageReader readerFor(byte[] encoded, String name) {
        try (ImageInputStream in = stream(encoded)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DataException(name + ": not an image ImageIO can decode (expected JPEG, PNG, GIF or BMP; "
                        + encoded.length + " bytes starting " + leadingBytes(encoded) + ")");
            }
            return readers.next();
        } catch (IOException e) {
            throw new DataException(name + ": cannot read image header: " + e.getMessage(), e);
        }
    }

    // Not ImageIO.createImageInputStream: with ImageIO's default cache setting that spills to temp files.
    private static ImageInputStream stream(byte[] encoded) {
        return new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded));
    }

    /** The reader's format ("JPEG", "png", ...); getFormatName() would declare an IOException. */
    private static String formatName(ImageReader reader) {
        return reader.getOriginatingProvider() == null ? "an" : reader.getOriginatingProvider().getFormatNames()[0];
    }

    static Rgb fromImage(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        byte[] planes = new byte[3 * h * w];
        Raster raster = image.getRaster();
        if (image.getColorModel() instanceof ComponentColorModel cm && isGrayOrRgb(cm.getColorSpace())) {
            int colors = cm.getNumColorComponents();
            int[] row = new int[w];
            for (int c = 0; c < 3; c++) {
                int band = colors == 1 ? 0 : c;
                int bits = cm.getComponentSize(band);
                for (int y = 0; y < h; y++) {
                    raster.getSamples(0, y, w, 1, band, row);
                    int at = (c * h + y) * w;
                    for (int x = 0; x < w; x++) {
                        planes[at + x] = (byte) to8Bits(row[x], bits);
                    }
                }
            }
        } else {
            // Palette (IndexColorModel) and packed (DirectColorModel) images: their sRGB values are exact.
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < h * w; i++) {
                planes[i] = (byte) (argb[i] >> 16);
                planes[h * w + i] = (byte) (argb[i] >> 8);
                planes[2 * h * w + i] = (byte) argb[i];
            }
        }
        return new Rgb(planes, h, w);
    }

    private static boolean isGrayOrRgb(ColorSpace space) {
        int type = space.getType();
        return (type == ColorSpace.TYPE_GRAY && space.getNumComponents() == 1)
                || (type == ColorSpace.TYPE_RGB && space.getNumComponents() == 3);
    }

    private static int to8Bits(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >>> (bits - 8);
        }
        return sample * 255 / ((1 << bits) - 1);
    }

    private static Rgb fromCmyk(Raster raster, int adobeTransform) {
        int h = raster.getHeight();
        int w = raster.getWidth();
        byte[] planes = new byte[3 * h * w];
        int[] px = new int[4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.getPixel(raster.getMinX() + x, raster.getMinY() + y, px);
                if (adobeTransform == 2) {
                    ycckToCmyk(px);
                }
                int k = px[3];
                for (int c = 0; c < 3; c++) {
                    // Adobe (Photoshop) files store inverted inks: 255 means none.
                    int v = adobeTransform >= 0 ? k * px[c] / 255 : (255 - k) * (255 - px[c]) / 255;
                    planes[(c * h + y) * w + x] = (byte) v;
                }
            }
        }
        return new Rgb(planes, h, w);
    }

    /** The Adobe APP14 marker's transform (0 CMYK, 2 YCCK), or -1 when the file has no Adobe marker. */
    private static int adobeTransform(IIOMetadata metadata) {
        if (metadata == null) {
            return -1;
        }
        Node adobe = find(metadata.getAsTree("javax_imageio_jpeg_image_1.0"), "app14Adobe");
        if (adobe == null) {
            return -1;
        }
        Node transform = adobe.getAttributes().getNamedItem("transform");
        return transform == null ? 0 : Integer.parseInt(transform.getNodeValue());
    }

    private static Node find(Node node, String name) {
        if (name.equals(node.getNodeName())) {
            return node;
        }
        for (Node child = node.getFirstChild(); child != null; child = child.getNextSibling()) {
            Node found = find(child, name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** libjpeg's YCCK to CMYK: Y, Cb, Cr to RGB, each then inverted; K is kept. */
    private static void ycckToCmyk(int[] px) {
        double y = px[0];
        double cb = px[1] - 128;
        double cr = px[2] - 128;
        px[0] = 255 - clamp(y + 1.402 * cr);
        px[1] = 255 - clamp(y - 0.344136 * cb - 0.714136 * cr);
        px[2] = 255 - clamp(y + 1.772 * cb);
    }

    private static int clamp(double v) {
        long r = Math.round(v);
        return (int) Math.max(0, Math.min(255, r));
    }

    private static String leadingBytes(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            sb.append(String.format("%02x ", bytes[i] & 0xFF));
        }
        return sb.length() == 0 ? "(empty)" : sb.toString().trim();
    }
}
