package org.convnet4j.data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
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
 *
 * <p>Both headers are read first and the sizes they declare checked against {@link DataLimits} (and, for
 * a plain file, against its length) before any data is inflated; the data is then streamed into one
 * array of exactly the declared size, and a file that ends early or goes on after it is refused.
 */
public final class Idx {
    /** Unsigned bytes, rank 3: count x rows x columns. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Unsigned bytes, rank 1: count. */
    public static final int LABELS_MAGIC = 0x00000801;

    /** Deflate writes at least 2 bits for a run of at most 258 bytes, so gzip expands at most 1032-fold. */
    private static final long MAX_INFLATION = 1032;
    /** How many trailing bytes a "trailing bytes" error counts before it stops reading. */
    private static final long TRAILING_COUNTED = 1 << 20;

    private Idx() {
    }

    /**
     * Loads an image file and its label file as a 1-channel data set. The counts must agree and every
     * label must index {@code classNames}. The limits are {@link DataLimits#current()}.
     *
     * @param images an IDX3 image file, gzip'd or not
     * @param labels the IDX1 label file that goes with it
     * @param classNames the names, in label order
     * @return the images and labels
     */
    public static Dataset load(Path images, Path labels, List<String> classNames) {
        return load(images, labels, classNames, DataLimits.current());
    }

    static Dataset load(Path images, Path labels, List<String> classNames, DataLimits limits) {
        try (Reader img = Reader.open(images, IMAGES_MAGIC); Reader lab = Reader.open(labels, LABELS_MAGIC)) {
            if (img.dims[0] != lab.dims[0]) {
                throw new DataException("IDX files disagree: " + images + " holds " + img.dims[0] + " images but "
                        + labels + " holds " + lab.dims[0] + " labels");
            }
            limits.checkDataSet(images + ": the IDX header declares " + img.dims[0] + " images of " + img.dims[1]
                    + " x " + img.dims[2] + " (labels in " + labels + ")", img.payload, lab.payload);
            byte[] pixels = img.readPayload();
            byte[] bytes = lab.readPayload();
            int[] ints = new int[bytes.length];
            for (int i = 0; i < ints.length; i++) {
                ints[i] = bytes[i] & 0xFF;
                if (ints[i] >= classNames.size()) {
                    throw new DataException(labels + ": label " + ints[i] + " of item " + i + " is outside 0.."
                            + (classNames.size() - 1));
                }
            }
            return new Dataset(pixels, ints, 1, img.dims[1], img.dims[2], classNames);
        }
    }

    /** One IDX file, open after its header: {@link #readPayload} streams the rest. */
    private static final class Reader implements Closeable {
        final Path file;
        final boolean gzipped;
        final InputStream in;
        final int headerBytes;
        final int[] dims;
        /** The data bytes the header declares: the product of the dims, at most one array. */
        final long payload;

        private Reader(Path file, boolean gzipped, InputStream in, int headerBytes, int[] dims, long payload) {
            this.file = file;
            this.gzipped = gzipped;
            this.in = in;
            this.headerBytes = headerBytes;
            this.dims = dims;
            this.payload = payload;
        }

        /** Opens {@code file}, reads and checks its header (magic {@code expectedMagic}), reads no data. */
        static Reader open(Path file, int expectedMagic) {
            InputStream in;
            try {
                in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            } catch (NoSuchFileException e) {
                throw new DataException(file + ": IDX file not found", e);
            } catch (IOException e) {
                throw new DataException(file + ": cannot read IDX file: " + e, e);
            }
            boolean gzipped = false;
            try {
                in.mark(2);
                gzipped = in.read() == 0x1f && in.read() == 0x8b;
                in.reset();
                if (gzipped) {
                    in = new GZIPInputStream(in, 1 << 16);
                }
                return header(file, gzipped, in, expectedMagic);
            } catch (IOException e) {
                throw closing(in, readError(file, gzipped, e));
            } catch (RuntimeException e) {
                throw closing(in, e);
            }
        }

        /** Closes {@code in} after {@code failure}, which is what the caller is told about. */
        private static RuntimeException closing(InputStream in, RuntimeException failure) {
            try {
                in.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            return failure;
        }

        private static Reader header(Path file, boolean gzipped, InputStream in, int expectedMagic) throws IOException {
            int rank = expectedMagic & 0xFF;
            int headerBytes = 4 + 4 * rank;
            byte[] magicBytes = in.readNBytes(4);
            if (magicBytes.length < 4) {
                throw new DataException(file + ": truncated IDX header: expected at least " + headerBytes
                        + " bytes, got " + magicBytes.length);
            }
            int magic = ByteBuffer.wrap(magicBytes).getInt(); // big-endian, as IDX is
            if (magic != expectedMagic) {
                throw new DataException(String.format("%s: bad magic 0x%08x, expected 0x%08x (IDX, unsigned bytes, rank %d)",
                        file, magic, expectedMagic, rank));
            }
            byte[] sizes = in.readNBytes(4 * rank);
            if (sizes.length < 4 * rank) {
                throw new DataException(file + ": truncated IDX header: expected at least " + headerBytes
                        + " bytes, got " + (4 + sizes.length));
            }
            ByteBuffer header = ByteBuffer.wrap(sizes);
            int[] dims = new int[rank];
            long payload = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = header.getInt();
                if (dims[i] <= 0) {
                    throw new DataException(file + ": IDX dimension " + i + " is " + dims[i] + "; expected a positive size");
                }
                payload = payload > Long.MAX_VALUE / dims[i] ? Long.MAX_VALUE : payload * dims[i];
            }
            String declared = headerBytes + " + " + Arrays.toString(dims) + " = " + payload + " data bytes";
            if (payload > DataLimits.MAX_ARRAY) {
                throw new DataLimitException(file + ": the IDX header declares " + Arrays.toString(dims) + " = "
                        + DataLimits.bytes(payload) + " of data, more than one Java array holds, "
                        + DataLimits.bytes(DataLimits.MAX_ARRAY));
            }
            long expected = headerBytes + payload;
            long size = Files.size(file);
            if (!gzipped && size != expected) {
                throw new DataException(file + ": expected " + expected + " bytes (header " + declared + "), got "
                        + size + (size < expected ? " (truncated)" : " (trailing bytes)"));
            }
            if (gzipped && expected > MAX_INFLATION * size) {
                throw new DataException(file + ": the IDX header declares " + Arrays.toString(dims) + " = " + payload
                        + " data bytes, but a gzip file of " + size + " bytes inflates to at most " + MAX_INFLATION * size
                        + " (truncated or corrupt)");
            }
            return new Reader(file, gzipped, in, headerBytes, dims, payload);
        }

        /** The declared data bytes, read into an array of exactly that size; the file must end there. */
        byte[] readPayload() {
            long expected = headerBytes + payload;
            String declared = "header " + headerBytes + " + " + Arrays.toString(dims) + " = " + payload + " data bytes";
            try {
                byte[] data = new byte[(int) payload];
                int n = in.readNBytes(data, 0, data.length);
                if (n < data.length) {
                    throw new DataException(file + ": expected " + expected + " bytes (" + declared + "), got "
                            + (headerBytes + n) + " (truncated)");
                }
                long trailing = 0;
                byte[] skip = new byte[8192];
                for (int r; trailing <= TRAILING_COUNTED && (r = in.read(skip)) > 0; ) {
                    trailing += r;
                }
                if (trailing > 0) {
                    throw new DataException(file + ": expected " + expected + " bytes (" + declared + "), got "
                            + (trailing > TRAILING_COUNTED ? "more than " : "") + (expected + trailing)
                            + " (trailing bytes)");
                }
                return data;
            } catch (IOException e) {
                throw readError(file, gzipped, e);
            }
        }

        private static DataException readError(Path file, boolean gzipped, IOException e) {
            return gzipped
                    ? new DataException(file + ": truncated or corrupt gzip stream (" + e.getMessage() + ")", e)
                    : new DataException(file + ": cannot read IDX file: " + e, e);
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw new DataException(file + ": cannot close IDX file: " + e, e);
            }
        }
    }
}
