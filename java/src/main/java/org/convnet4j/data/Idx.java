package org.convnet4j.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files of (Fashion-)MNIST: a big-endian header (magic 0x0000TTRR, TT = 0x08 for unsigned
 * bytes, RR = the rank, then one 32-bit size per dimension) followed by the data. Files may be gzip'd;
 * that is detected from the gzip magic bytes 1f 8b, not from the name.
 */
public final class Idx {
    /** Unsigned bytes, rank 3: count x rows x columns. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Unsigned bytes, rank 1: count. */
    public static final int LABELS_MAGIC = 0x00000801;

    private Idx() {
    }

    /**
     * Loads an image file and its label file as a 1-channel data set. The counts must agree and every
     * label must index {@code classNames}.
     */
    public static Dataset load(Path images, Path labels, List<String> classNames) {
        Array img = read(images, IMAGES_MAGIC);
        Array lab = read(labels, LABELS_MAGIC);
        if (img.dims[0] != lab.dims[0]) {
            throw new DataException("IDX files disagree: " + images + " holds " + img.dims[0] + " images but "
                    + labels + " holds " + lab.dims[0] + " labels");
        }
        int[] ints = new int[lab.dims[0]];
        for (int i = 0; i < ints.length; i++) {
            ints[i] = lab.data[lab.offset + i] & 0xFF;
            if (ints[i] >= classNames.size()) {
                throw new DataException(labels + ": label " + ints[i] + " of item " + i + " is outside 0.."
                        + (classNames.size() - 1));
            }
        }
        byte[] pixels = img.offset == 0 && img.data.length == img.count()
                ? img.data
                : Arrays.copyOfRange(img.data, img.offset, img.offset + img.count());
        return new Dataset(pixels, ints, 1, img.dims[1], img.dims[2], classNames);
    }

    /** The payload of one IDX file: {@code data[offset ..]} holds the product of {@code dims} bytes. */
    record Array(int[] dims, byte[] data, int offset) {
        int count() {
            int n = 1;
            for (int d : dims) {
                n *= d;
            }
            return n;
        }
    }

    /** Reads and checks one IDX file whose magic must be {@code expectedMagic}. */
    static Array read(Path file, int expectedMagic) {
        byte[] bytes = decompressed(file);
        int rank = expectedMagic & 0xFF;
        int headerBytes = 4 + 4 * rank;
        if (bytes.length < 4) {
            throw new DataException(file + ": truncated IDX header: expected at least " + headerBytes
                    + " bytes, got " + bytes.length);
        }
        ByteBuffer header = ByteBuffer.wrap(bytes); // big-endian, as IDX is
        int magic = header.getInt();
        if (magic != expectedMagic) {
            throw new DataException(String.format("%s: bad magic 0x%08x, expected 0x%08x (IDX, unsigned bytes, rank %d)",
                    file, magic, expectedMagic, rank));
        }
        if (bytes.length < headerBytes) {
            throw new DataException(file + ": truncated IDX header: expected at least " + headerBytes
                    + " bytes, got " + bytes.length);
        }
        int[] dims = new int[rank];
        long payload = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = header.getInt();
            if (dims[i] <= 0) {
                throw new DataException(file + ": IDX dimension " + i + " is " + dims[i] + "; expected a positive size");
            }
            payload *= dims[i];
        }
        long expected = headerBytes + payload;
        if (bytes.length != expected) {
            throw new DataException(file + ": expected " + expected + " bytes (header " + headerBytes + " + "
                    + Arrays.toString(dims) + " = " + payload + " data bytes), got " + bytes.length
                    + (bytes.length < expected ? " (truncated)" : " (trailing bytes)"));
        }
        return new Array(dims, bytes, headerBytes);
    }

    /** The file's bytes, gunzipped when they start with the gzip magic 1f 8b. */
    private static byte[] decompressed(Path file) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": IDX file not found", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read IDX file: " + e, e);
        }
        if (raw.length < 2 || (raw[0] & 0xFF) != 0x1f || (raw[1] & 0xFF) != 0x8b) {
            return raw;
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 1 << 16)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DataException(file + ": truncated or corrupt gzip stream (" + e.getMessage() + ")", e);
        }
    }
}
