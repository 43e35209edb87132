package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    /** 3 images of 2 x 4 with bytes 10 i + k, labels 7, 0, 9. */
    private void writeSet(String prefix, boolean gzipped) throws IOException {
        byte[] pixels = new byte[3 * 8];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (10 * (i / 8) + i % 8);
        }
        byte[] images = idx(Idx.IMAGES_MAGIC, new int[] {3, 2, 4}, pixels);
        byte[] labels = idx(Idx.LABELS_MAGIC, new int[] {3}, new byte[] {7, 0, 9});
        String ext = gzipped ? ".gz" : "";
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte" + ext), gzipped ? gzip(images) : images);
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte" + ext), gzipped ? gzip(labels) : labels);
    }

    private static void checkSet(Dataset d) {
        assertEquals(3, d.size());
        assertEquals(1, d.channels());
        assertEquals(2, d.height());
        assertEquals(4, d.width());
        assertArrayEquals(new int[] {7, 0, 9}, d.labels());
        assertEquals(23, d.pixel(2, 0, 0, 3));
        assertEquals(16, d.pixel(1, 0, 1, 2));
        assertEquals(Datasets.FASHION_MNIST_CLASSES, d.classNames());
    }

    @Test
    void readsRawAndGzipFiles() throws IOException {
        writeSet("t10k", false);
        writeSet("train", true);
        checkSet(Datasets.fashionMnist(dir, false));
        checkSet(Datasets.fashionMnist(dir, true));
    }

    private DataException loadFails(byte[] images, byte[] labels) throws IOException {
        Path img = Files.write(dir.resolve("images.idx"), images);
        Path lab = Files.write(dir.resolve("labels.idx"), labels);
        return assertThrows(DataException.class, () -> Idx.load(img, lab, Datasets.FASHION_MNIST_CLASSES));
    }

    private static void assertMessage(DataException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
        }
    }

    @Test
    void badMagicNamesFileAndValues() throws IOException {
        byte[] labels = idx(Idx.LABELS_MAGIC, new int[] {1}, new byte[] {1});
        DataException e = loadFails(idx(0x00000802, new int[] {1, 1}, new byte[] {5}), labels);
        assertMessage(e, "images.idx", "bad magic 0x00000802", "expected 0x00000803");
        // labels passed where images belong
        e = loadFails(labels, labels);
        assertMessage(e, "images.idx", "bad magic 0x00000801");
    }

    @Test
    void truncatedAndOverlongFilesGiveExpectedAndActualLength() throws IOException {
        byte[] images = idx(Idx.IMAGES_MAGIC, new int[] {2, 2, 2}, new byte[8]);
        byte[] labels = idx(Idx.LABELS_MAGIC, new int[] {2}, new byte[] {1, 2});
        assertMessage(loadFails(Arrays.copyOf(images, images.length - 3), labels), "images.idx", "expected 24 bytes",
                "got 21", "truncated");
        assertMessage(loadFails(images, Arrays.copyOf(labels, labels.length + 1)), "labels.idx", "expected 10 bytes",
                "got 11");
        assertMessage(loadFails(Arrays.copyOf(images, 10), labels), "images.idx", "truncated IDX header");
        byte[] gz = gzip(images);
        assertMessage(loadFails(Arrays.copyOf(gz, gz.length - 12), labels), "images.idx", "gzip");
    }

    @Test
    void countsMustAgreeAndLabelsMustBeDigits() throws IOException {
        byte[] images = idx(Idx.IMAGES_MAGIC, new int[] {2, 1, 1}, new byte[2]);
        assertMessage(loadFails(images, idx(Idx.LABELS_MAGIC, new int[] {3}, new byte[3])), "holds 2 images",
                "holds 3 labels");
        assertMessage(loadFails(images, idx(Idx.LABELS_MAGIC, new int[] {2}, new byte[] {3, 12})), "labels.idx",
                "label 12", "outside 0..9");
        assertMessage(loadFails(idx(Idx.IMAGES_MAGIC, new int[] {2, 0, 1}, new byte[0]),
                idx(Idx.LABELS_MAGIC, new int[] {2}, new byte[2])), "dimension 1 is 0");
    }

    @Test
    void headerDeclaringMoreThanAnArrayIsRefusedBeforeInflating() throws IOException {
        // As the reported bomb: the header declares 3,000,000 x 28 x 28 = 2.35 GB; here only 1 KiB follows.
        byte[] bomb = gzip(idx(Idx.IMAGES_MAGIC, new int[] {3_000_000, 28, 28}, new byte[1024]));
        DataException e = loadFails(bomb, idx(Idx.LABELS_MAGIC, new int[] {3_000_000}, new byte[0]));
        assertInstanceOf(DataLimitException.class, e);
        assertMessage(e, dir.resolve("images.idx").toString(), "[3000000, 28, 28]", "2,352,000,000 bytes",
                "more than one Java array holds, 2,147,483,639 bytes");
        // Every dimension at its maximum: the product overflows a long and must still be refused.
        int max = Integer.MAX_VALUE;
        e = loadFails(gzip(idx(Idx.IMAGES_MAGIC, new int[] {max, max, max}, new byte[0])),
                idx(Idx.LABELS_MAGIC, new int[] {1}, new byte[1]));
        assertInstanceOf(DataLimitException.class, e);
        assertMessage(e, "images.idx", "more than one Java array holds");
    }

    @Test
    void dataSetOverMaxBytesIsRefusedNamingTheFilesAndTheLimit() throws IOException {
        writeSet("train", true); // 3 images of 2 x 4: 24 pixel bytes + 3 labels of 4 bytes = 36 bytes
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        DataLimitException e = assertThrows(DataLimitException.class,
                () -> Idx.load(images, labels, Datasets.FASHION_MNIST_CLASSES, DataLimits.DEFAULTS.withMaxBytes(35)));
        assertMessage(e, images.toString(), labels.toString(), "3 images of 2 x 4", "36 bytes", "limit of 35 bytes",
                "-Dconvnet4j.data.maxBytes");
        checkSet(Idx.load(images, labels, Datasets.FASHION_MNIST_CLASSES, DataLimits.DEFAULTS.withMaxBytes(36)));
    }

    @Test
    void filesTooShortForTheirHeaderAreRefusedBeforeTheDataIsAllocated() throws IOException {
        byte[] labels = idx(Idx.LABELS_MAGIC, new int[] {60_000}, new byte[60_000]);
        // Plain: the file's length must be the declared one.
        byte[] plain = idx(Idx.IMAGES_MAGIC, new int[] {60_000, 28, 28}, new byte[100]);
        assertMessage(loadFails(plain, labels), "images.idx", "expected 47040016 bytes", "got 116", "truncated");
        // Gzip'd: 47 MB cannot come out of a few dozen bytes (deflate expands at most 1032-fold).
        byte[] gz = gzip(idx(Idx.IMAGES_MAGIC, new int[] {60_000, 28, 28}, new byte[0]));
        assertMessage(loadFails(gz, labels), "images.idx", "47040000 data bytes", "a gzip file of " + gz.length
                + " bytes inflates to at most", "truncated");
    }

    @Test
    void gzipInflatingPastItsDeclaredSizeIsStoppedAndNamed() throws IOException {
        // 8 declared data bytes, then 5 MB more: reading stops at 1 MiB over, nothing is buffered.
        byte[] images = gzip(idx(Idx.IMAGES_MAGIC, new int[] {2, 2, 2}, new byte[8 + 5_000_000]));
        byte[] labels = idx(Idx.LABELS_MAGIC, new int[] {2}, new byte[] {1, 2});
        assertMessage(loadFails(images, labels), "images.idx", "expected 24 bytes", "got more than", "trailing bytes");
        // A gzip'd file that ends early.
        byte[] shortGz = gzip(idx(Idx.IMAGES_MAGIC, new int[] {2, 2, 2}, new byte[5]));
        assertMessage(loadFails(shortGz, labels), "images.idx", "expected 24 bytes", "got 21", "truncated");
    }

    @Test
    void missingFilesSayHowToGetFashionMnist() {
        DataException e = assertThrows(DataException.class, () -> Datasets.fashionMnist(dir.resolve("nowhere"), true));
        assertMessage(e, "train-images-idx3-ubyte.gz", "nowhere", "apt-get install dataset-fashion-mnist",
                "give the folder holding the four IDX files");
    }
}
