package org.convnet4j.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/** Small synthetic images and the zips and folders that hold them. */
final class TestImages {
    private TestImages() {
    }

    /** An RGB image whose pixel (x, y) is (base + x, base + 10 y, base + 50), so every pixel is distinct. */
    static BufferedImage rgb(int width, int height, int base) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, (base + x) << 16 | (base + 10 * y) << 8 | (base + 50));
            }
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format + " and " + img);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A stored (uncompressed) zip of {@code entries}, plus one directory entry per folder, as in shared/data. */
    static Path zip(Path file, Map<String, byte[]> entries) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            Set<String> dirs = new TreeSet<>();
            for (String name : entries.keySet()) {
                if (name.indexOf('/') > 0) {
                    dirs.add(name.substring(0, name.indexOf('/') + 1));
                }
            }
            for (String d : dirs) {
                zip.putNextEntry(new ZipEntry(d));
                zip.closeEntry();
            }
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    /**
     * A PNG that declares width x height 8-bit RGB pixels in its IHDR but holds only a few bytes of
     * compressed data: the header of a decompression bomb, valid up to where decoding would start.
     */
    static byte[] pngHeader(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0});
        chunk(out, "IHDR", ihdr.array());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[64]);
        deflater.finish();
        byte[] idat = new byte[64];
        chunk(out, "IDAT", Arrays.copyOf(idat, deflater.deflate(idat)));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(type.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /**
     * A zip of deflated entries in which the central directory's uncompressed size of entry {@code liar}
     * is replaced by {@code declaredSize}: ZipFile believes the central directory, so this entry claims a
     * size its data does not have.
     */
    static Path deflatedZip(Path file, Map<String, byte[]> entries, String liar, long declaredSize) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        ByteBuffer zip = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        int end = zip.limit() - 22; // the end-of-central-directory record, with no zip comment
        if (zip.getInt(end) != 0x06054b50) {
            throw new IllegalStateException("no end-of-central-directory record where expected");
        }
        int at = zip.getInt(end + 16);
        for (int i = 0; i < (zip.getShort(end + 10) & 0xFFFF); i++) {
            int nameLength = zip.getShort(at + 28) & 0xFFFF;
            String name = new String(zip.array(), at + 46, nameLength, StandardCharsets.UTF_8);
            if (name.equals(liar)) {
                zip.putInt(at + 24, (int) declaredSize); // the uncompressed size, unsigned 32 bits
                return Files.write(file, zip.array());
            }
            at += 46 + nameLength + (zip.getShort(at + 30) & 0xFFFF) + (zip.getShort(at + 32) & 0xFFFF);
        }
        throw new IllegalArgumentException("no entry " + liar);
    }

    static Path folder(Path dir, Map<String, byte[]> entries) throws IOException {
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
        return dir;
    }
}
