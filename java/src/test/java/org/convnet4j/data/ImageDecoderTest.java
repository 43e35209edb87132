package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
    private static int at(ImageDecoder.Rgb rgb, int c, int y, int x) {
        return rgb.planes()[(c * rgb.height() + y) * rgb.width() + x] & 0xFF;
    }

    @Test
    void rgbPngIsExactInPlanarOrder() {
        BufferedImage img = TestImages.rgb(5, 3, 20);
        ImageDecoder.Rgb rgb = ImageDecoder.decode(TestImages.encode(img, "png"), "rgb.png");
        assertEquals(3, rgb.height());
        assertEquals(5, rgb.width());
        assertEquals(20 + 4, at(rgb, 0, 2, 4));
        assertEquals(20 + 20, at(rgb, 1, 2, 4));
        assertEquals(20 + 50, at(rgb, 2, 2, 4));
    }

    @Test
    void grayBecomesThreeEqualChannelsWithoutAGammaChange() {
        BufferedImage gray = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = gray.getRaster();
        for (int x = 0; x < 4; x++) {
            r.setSample(x, 0, 0, 60 * x);
            r.setSample(x, 1, 0, 128);
        }
        for (String format : new String[] {"png", "jpeg"}) {
            ImageDecoder.Rgb rgb = ImageDecoder.decode(TestImages.encode(gray, format), "gray." + format);
            for (int x = 0; x < 4; x++) {
                assertEquals(at(rgb, 0, 0, x), at(rgb, 1, 0, x), format);
                assertEquals(at(rgb, 0, 0, x), at(rgb, 2, 0, x), format);
            }
            if (format.equals("png")) {
                // getRGB would map linear gray 128 to about 188 on the sRGB curve.
                assertEquals(128, at(rgb, 0, 1, 2));
                assertEquals(180, at(rgb, 1, 0, 3));
            }
        }
    }

    @Test
    void alphaIsDroppedNotComposited() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x00_C8_64_32); // fully transparent, color kept
        img.setRGB(1, 0, 0x80_0A_14_1E);
        ImageDecoder.Rgb rgb = ImageDecoder.decode(TestImages.encode(img, "png"), "alpha.png");
        assertEquals(Arrays.asList(200, 100, 50), Arrays.asList(at(rgb, 0, 0, 0), at(rgb, 1, 0, 0), at(rgb, 2, 0, 0)));
        assertEquals(Arrays.asList(10, 20, 30), Arrays.asList(at(rgb, 0, 0, 1), at(rgb, 1, 0, 1), at(rgb, 2, 0, 1)));
    }

    @Test
    void sixteenBitGrayKeepsTheHighByteAndPalettesAreLookedUp() {
        BufferedImage g16 = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSample(0, 0, 0, 0xAB12);
        ImageDecoder.Rgb rgb = ImageDecoder.decode(TestImages.encode(g16, "png"), "g16.png");
        assertEquals(0xAB, at(rgb, 1, 0, 0));

        IndexColorModel palette = new IndexColorModel(2, 2, new byte[] {0, (byte) 250}, new byte[] {0, 5},
                new byte[] {0, 9});
        BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY, palette);
        indexed.getRaster().setSample(1, 0, 0, 1);
        rgb = ImageDecoder.decode(TestImages.encode(indexed, "png"), "indexed.png");
        assertEquals(Arrays.asList(250, 5, 9), Arrays.asList(at(rgb, 0, 0, 1), at(rgb, 1, 0, 1), at(rgb, 2, 0, 1)));
        assertEquals(0, at(rgb, 0, 0, 0));
    }

    @Test
    void cmykJpegUsesTensorFlowsFormula() throws IOException {
        // ImageIO's writer stores a 4-band raster as CMYK without an Adobe marker: inks are not inverted,
        // so TensorFlow's decode_jpeg gives R = (255 - K)(255 - C) / 255 with integer division.
        WritableRaster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                cmyk.setPixel(x, y, new int[] {200, 100, 50, 220});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(1f);
            writer.write(null, new IIOImage(cmyk, null, null), param);
        } finally {
            writer.dispose();
        }
        ImageDecoder.Rgb rgb = ImageDecoder.decode(bytes.toByteArray(), "cmyk.jpg");
        int[] expected = {35 * 55 / 255, 35 * 155 / 255, 35 * 205 / 255};
        for (int c = 0; c < 3; c++) {
            assertTrue(Math.abs(at(rgb, c, 8, 8) - expected[c]) <= 1, "channel " + c + ": expected " + expected[c]
                    + ", got " + at(rgb, c, 8, 8));
        }
    }

    @Test
    void pixelLimitIsCheckedOnTheHeaderBeforeDecoding() {
        // 20000 x 20000 declared, a few bytes of data: refused on the header, not found truncated by decoding.
        DataLimitException e = assertThrows(DataLimitException.class,
                () -> ImageDecoder.decode(TestImages.pngHeader(20_000, 20_000), "cats/huge.png"));
        assertTrue(e.getMessage().contains("cats/huge.png: png image is 20000 x 20000 = 400,000,000 pixels")
                && e.getMessage().contains("over the limit of 67,108,864 pixels per image (-Dconvnet4j.data.maxImagePixels)"),
                e.getMessage());
        byte[] jpeg = TestImages.encode(TestImages.rgb(5, 3, 20), "jpeg");
        e = assertThrows(DataLimitException.class,
                () -> ImageDecoder.decode(jpeg, "small.jpg", DataLimits.DEFAULTS.withMaxImagePixels(14)));
        assertTrue(e.getMessage().contains("small.jpg: JPEG image is 5 x 3 = 15 pixels, over the limit of 14 pixels"),
                e.getMessage());
        assertEquals(5, ImageDecoder.decode(jpeg, "small.jpg", DataLimits.DEFAULTS.withMaxImagePixels(15)).width());
    }

    @Test
    void nonImagesAndTruncatedImagesAreNamed() {
        DataException text = assertThrows(DataException.class,
                () -> ImageDecoder.decode("not a picture".getBytes(), "cats/readme.txt"));
        assertTrue(text.getMessage().contains("cats/readme.txt") && text.getMessage().contains("not an image"),
                text.getMessage());

        BufferedImage noise = new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom random = new SplittableRandom(5);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                noise.setRGB(x, y, random.nextInt());
            }
        }
        for (String format : new String[] {"jpeg", "png"}) {
            byte[] full = TestImages.encode(noise, format);
            byte[] cut = Arrays.copyOf(full, full.length * 2 / 3);
            DataException e = assertThrows(DataException.class, () -> ImageDecoder.decode(cut, "cut." + format));
            assertTrue(e.getMessage().contains("cut." + format) && e.getMessage().contains(cut.length + " bytes"),
                    e.getMessage());
        }
    }
}
