package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    private static final List<String> ORDER = List.of("zebra", "apple", "mango");

    @TempDir
    Path dir;

    /**
     * Files listed out of path order, PNG and JPEG mixed, one non-square image and a top-level file that must
     * be ignored. Each PNG's red channel at (0, 0) is its base value, which identifies it after decoding.
     */
    private static Map<String, byte[]> entries() {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("mango/b.png", TestImages.encode(TestImages.rgb(4, 4, 30), "png"));
        e.put("apple/x.png", TestImages.encode(TestImages.rgb(4, 4, 20), "png"));
        e.put("zebra/2.png", TestImages.encode(TestImages.rgb(4, 4, 10), "png"));
        e.put("mango/a.jpg", TestImages.encode(TestImages.rgb(8, 6, 100), "jpeg"));
        e.put("zebra/1.png", TestImages.encode(TestImages.rgb(2, 2, 0), "png"));
        e.put("LICENSE.txt", "CC-BY".getBytes());
        return e;
    }

    private static void checkLoaded(Dataset d) {
        // Path order: apple/x.png, mango/a.jpg, mango/b.png, zebra/1.png, zebra/2.png
        assertEquals(5, d.size());
        assertArrayEquals(new int[] {1, 2, 2, 0, 0}, d.labels());
        assertArrayEquals(new int[] {2, 1, 2}, d.classCounts());
        assertEquals(ORDER, d.classNames());
        assertEquals(3, d.channels());
        assertEquals(4, d.height());
        assertEquals(4, d.width());
        assertEquals(20, d.pixel(0, 0, 0, 0));
        assertEquals(30 + 3, d.pixel(2, 0, 0, 3));
        assertEquals(10 + 30, d.pixel(4, 1, 3, 0));
        // zebra/1.png was 2 x 2 with red 0, 1 along x: 4 x 4 by tf.image.resize gives 0, 0.25, 0.75, 1.
        assertEquals(List.of(0, 0, 1, 1), List.of(d.pixel(3, 0, 1, 0), d.pixel(3, 0, 1, 1), d.pixel(3, 0, 1, 2),
                d.pixel(3, 0, 1, 3)));
        // green goes 0, 10 along y: 0, 2.5, 7.5, 10 -> 0, 3, 8, 10 (halves round up)
        assertEquals(List.of(0, 3, 8, 10), List.of(d.pixel(3, 1, 0, 1), d.pixel(3, 1, 1, 1), d.pixel(3, 1, 2, 1),
                d.pixel(3, 1, 3, 1)));
    }

    @Test
    void zipAndDirectoryGiveTheSameSortedLabelledSet() throws IOException {
        Dataset fromZip = ImageFolder.load(TestImages.zip(dir.resolve("set.zip"), entries()), 4, 4, ORDER);
        Dataset fromDir = ImageFolder.load(TestImages.folder(dir.resolve("set"), entries()), 4, 4, ORDER);
        checkLoaded(fromZip);
        checkLoaded(fromDir);
        for (int i = 0; i < 5; i++) {
            byte[] a = new byte[48];
            byte[] b = new byte[48];
            fromZip.copyImage(i, a, 0);
            fromDir.copyImage(i, b, 0);
            assertArrayEquals(a, b, "image " + i);
        }
        assertEquals(List.of("apple", "mango", "zebra"), ImageFolder.classFolders(dir.resolve("set.zip")));
        assertArrayEquals(new int[] {1, 2, 2}, Datasets.imageFolder(dir.resolve("set"), 4, 4).classCounts());
    }

    @Test
    void permutedLoadEqualsShuffledLoad() throws IOException {
        Path zip = TestImages.zip(dir.resolve("set.zip"), entries());
        Dataset shuffled = Datasets.shuffled(ImageFolder.load(zip, 3, 3, ORDER), 11);
        Dataset permuted = ImageFolder.loadPermuted(zip, 3, 3, ORDER, 11);
        assertArrayEquals(shuffled.labels(), permuted.labels());
        for (int i = 0; i < 5; i++) {
            assertEquals(shuffled.pixel(i, 2, 1, 1), permuted.pixel(i, 2, 1, 1));
        }
    }

    @Test
    void nonImageEntryNamesZipAndEntry() throws IOException {
        Map<String, byte[]> e = entries();
        e.put("apple/notes.txt", "not an image".getBytes());
        Path zip = TestImages.zip(dir.resolve("bad.zip"), e);
        DataException ex = assertThrows(DataException.class, () -> ImageFolder.load(zip, 4, 4, ORDER));
        assertTrue(ex.getMessage().contains("bad.zip, entry apple/notes.txt") && ex.getMessage().contains("not an image"),
                ex.getMessage());
    }

    @Test
    void classFoldersMustMatchTheClassOrder() throws IOException {
        Path zip = TestImages.zip(dir.resolve("set.zip"), entries());
        DataException ex = assertThrows(DataException.class,
                () -> ImageFolder.load(zip, 4, 4, List.of("zebra", "apple", "kiwi")));
        assertTrue(ex.getMessage().contains("none for [kiwi]") && ex.getMessage().contains("unexpected [mango]"),
                ex.getMessage());
    }

    @Test
    void zipEntryDeclaringMoreThanTheLimitIsRefusedUnread() throws IOException {
        // As reported: a small entry whose central directory claims 3 GB. Refused by its declared size alone.
        Map<String, byte[]> e = entries();
        e.put("apple/bomb.png", new byte[3_000_000]);
        Path zip = TestImages.deflatedZip(dir.resolve("claims.zip"), e, "apple/bomb.png", 3_000_000_000L);
        DataLimitException ex = assertThrows(DataLimitException.class, () -> ImageFolder.load(zip, 4, 4, ORDER));
        assertMessage(ex, zip + ", entry apple/bomb.png", "declares 3,000,000,000 bytes",
                "limit of 268,435,456 bytes (256.0 MiB) per zip entry", "-Dconvnet4j.data.maxEntryBytes");
        // An honest entry over a lower limit: 3 MB of zeros deflate to a few KB.
        Path honest = TestImages.deflatedZip(dir.resolve("honest.zip"), e, "apple/bomb.png", 3_000_000);
        ex = assertThrows(DataLimitException.class,
                () -> ImageFolder.load(honest, 4, 4, ORDER, DataLimits.DEFAULTS.withMaxEntryBytes(1 << 20)));
        assertMessage(ex, honest + ", entry apple/bomb.png", "declares 3,000,000 bytes", "limit of 1,048,576 bytes");
    }

    @Test
    void zipEntryInflatingPastItsDeclaredSizeIsStoppedThere() throws IOException {
        // Declares 100 bytes, inflates to 3 MB: reading stops at byte 101.
        Map<String, byte[]> e = entries();
        e.put("apple/liar.png", new byte[3_000_000]);
        Path zip = TestImages.deflatedZip(dir.resolve("liar.zip"), e, "apple/liar.png", 100);
        DataLimitException ex = assertThrows(DataLimitException.class, () -> ImageFolder.load(zip, 4, 4, ORDER));
        assertMessage(ex, zip + ", entry apple/liar.png", "holds more than the 100 bytes it declares",
                "stopped after 101 bytes", "limit of 268,435,456 bytes");
    }

    @Test
    void streamOfUnknownSizeIsStoppedAtTheLimit() {
        long[] served = {0};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served[0]++;
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                served[0] += len;
                return len;
            }
        };
        DataLimits limits = DataLimits.DEFAULTS.withMaxEntryBytes(100_000);
        DataLimitException ex = assertThrows(DataLimitException.class,
                () -> ImageSource.readLimited(endless, -1, limits, "set.zip, entry a/b.png"));
        assertMessage(ex, "set.zip, entry a/b.png", "limit of 100,000 bytes", "stopped after 100001 bytes");
        assertEquals(100_001, served[0]);
    }

    @Test
    void folderFileOverTheLimitIsRefusedUnread() throws IOException {
        Map<String, byte[]> e = entries();
        e.put("apple/big.png", new byte[5000]);
        Path folder = TestImages.folder(dir.resolve("set"), e);
        DataLimitException ex = assertThrows(DataLimitException.class,
                () -> ImageFolder.load(folder, 4, 4, ORDER, DataLimits.DEFAULTS.withMaxEntryBytes(4000)));
        assertMessage(ex, folder.resolve("apple/big.png") + ": 5,000 bytes",
                "limit of 4,000 bytes");
    }

    @Test
    void imageDeclaringTooManyPixelsIsRefusedBeforeDecoding() throws IOException {
        // As reported: a 20000 x 20000 PNG holding a few bytes of data, in a zip (of 200-odd bytes here).
        Map<String, byte[]> e = entries();
        e.put("apple/huge.png", TestImages.pngHeader(20_000, 20_000));
        Path zip = TestImages.zip(dir.resolve("huge.zip"), e);
        DataLimitException ex = assertThrows(DataLimitException.class, () -> ImageFolder.load(zip, 4, 4, ORDER));
        assertMessage(ex, zip + ", entry apple/huge.png", "20000 x 20000 = 400,000,000 pixels",
                "limit of 67,108,864 pixels per image", "-Dconvnet4j.data.maxImagePixels");
        // The largest image of the set is 8 x 6 = 48 pixels (mango/a.jpg, a JPEG).
        ex = assertThrows(DataLimitException.class,
                () -> ImageFolder.load(TestImages.zip(dir.resolve("set.zip"), entries()), 4, 4, ORDER,
                        DataLimits.DEFAULTS.withMaxImagePixels(47)));
        assertMessage(ex, "set.zip, entry mango/a.jpg", "JPEG image is 8 x 6 = 48 pixels", "limit of 47 pixels");
        checkLoaded(ImageFolder.load(dir.resolve("set.zip"), 4, 4, ORDER, DataLimits.DEFAULTS.withMaxImagePixels(48)));
    }

    @Test
    void dataSetOverTheLimitIsRefusedBeforeDecoding() throws IOException {
        Path zip = TestImages.zip(dir.resolve("set.zip"), entries());
        DataLimitException ex = assertThrows(DataLimitException.class, () -> ImageFolder.load(zip, 30_000, 30_000, ORDER));
        assertMessage(ex, zip + ": 5 images resized to 3 x 30000 x 30000", "13,500,000,000 bytes",
                "more than one Java array holds");
        // 5 images of 3 x 4 x 4 and 5 labels: 5 x 48 + 5 x 4 = 260 bytes.
        ex = assertThrows(DataLimitException.class,
                () -> ImageFolder.load(zip, 4, 4, ORDER, DataLimits.DEFAULTS.withMaxBytes(259)));
        assertMessage(ex, zip.toString(), "260 bytes", "limit of 259 bytes", "-Dconvnet4j.data.maxBytes");
        checkLoaded(ImageFolder.load(zip, 4, 4, ORDER, DataLimits.DEFAULTS.withMaxBytes(260)));
    }

    private static void assertMessage(DataException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
        }
    }

    @Test
    void truncatedZipAndMissingPathAreNamed() throws IOException {
        byte[] whole = Files.readAllBytes(TestImages.zip(dir.resolve("set.zip"), entries()));
        Path cut = Files.write(dir.resolve("cut.zip"), Arrays.copyOf(whole, whole.length / 2));
        DataException ex = assertThrows(DataException.class, () -> ImageFolder.load(cut, 4, 4, ORDER));
        assertTrue(ex.getMessage().contains("cut.zip") && ex.getMessage().contains("zip"), ex.getMessage());
        ex = assertThrows(DataException.class, () -> Datasets.flowers(dir.resolve("absent"), 8, 8));
        assertTrue(ex.getMessage().contains("absent") && ex.getMessage().contains("give flowers-160.zip"), ex.getMessage());
    }
}
