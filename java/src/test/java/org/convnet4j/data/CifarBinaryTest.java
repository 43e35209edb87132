package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarBinaryTest {
    @TempDir
    Path dir;

    /** Records whose pixel (c, y, x) of record r is (r + 3 c + y + x) mod 256: the plane order shows in every byte. */
    static byte[] batch(int[] labels) {
        byte[] bytes = new byte[labels.length * CifarBinary.RECORD_BYTES];
        for (int r = 0; r < labels.length; r++) {
            int at = r * CifarBinary.RECORD_BYTES;
            bytes[at] = (byte) labels[r];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        bytes[at + 1 + c * 1024 + y * 32 + x] = (byte) (r + 100 * c + y + x);
                    }
                }
            }
        }
        return bytes;
    }

    private static int expected(int r, int c, int y, int x) {
        return (r + 100 * c + y + x) & 0xFF;
    }

    @Test
    void roundTripKeepsPlaneOrder() throws IOException {
        Files.write(dir.resolve("test_batch.bin"), batch(new int[] {3, 9, 0}));
        Dataset d = Datasets.cifar10(dir, false);
        assertEquals(3, d.size());
        assertEquals(3, d.channels());
        assertEquals(32, d.height());
        assertArrayEquals(new int[] {3, 9, 0}, d.labels());
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(expected(r, c, 5, 17), d.pixel(r, c, 5, 17), "record " + r + " channel " + c);
                assertEquals(expected(r, c, 31, 0), d.pixel(r, c, 31, 0));
            }
        }
    }

    @Test
    void trainJoinsFiveBatchesInsideTheOfficialFolder() throws IOException {
        Path bin = Files.createDirectory(dir.resolve("cifar-10-batches-bin"));
        for (int i = 1; i <= 5; i++) {
            Files.write(bin.resolve("data_batch_" + i + ".bin"), batch(new int[] {i, i}));
        }
        Dataset d = Datasets.cifar10(dir, true);
        assertArrayEquals(new int[] {1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, d.labels());
        assertEquals(expected(1, 2, 0, 0), d.pixel(9, 2, 0, 0)); // second record of batch 5
    }

    @Test
    void truncatedBatchAndBadLabelAreNamed() throws IOException {
        byte[] ok = batch(new int[] {1, 2});
        Path cut = Files.write(dir.resolve("cut.bin"), Arrays.copyOf(ok, ok.length - 100));
        DataException e = assertThrows(DataException.class, () -> Datasets.cifar10(cut, false));
        assertTrue(e.getMessage().contains("cut.bin") && e.getMessage().contains("3073-byte records")
                && e.getMessage().contains("got 6046 bytes"), e.getMessage());
        byte[] bad = batch(new int[] {1, 12});
        Path badFile = Files.write(dir.resolve("bad.bin"), bad);
        e = assertThrows(DataException.class, () -> Datasets.cifar10(badFile, false));
        assertTrue(e.getMessage().contains("bad.bin") && e.getMessage().contains("label 12 of record 1")
                && e.getMessage().contains("outside 0..9"), e.getMessage());
    }

    @Test
    void batchesOverTheLimitAreRefusedBeforeTheyAreRead() throws IOException {
        List<Path> files = List.of(Files.write(dir.resolve("a.bin"), batch(new int[] {1, 2})),
                Files.write(dir.resolve("b.bin"), batch(new int[] {3})));
        // 3 images of 3,072 bytes and 3 labels of 4 bytes: 9,228 bytes.
        DataLimitException e = assertThrows(DataLimitException.class, () -> CifarBinary.load(files,
                Datasets.CIFAR10_CLASSES, DataLimits.DEFAULTS.withMaxBytes(9_227)));
        assertTrue(e.getMessage().contains(files.toString()) && e.getMessage().contains("hold 3 images")
                && e.getMessage().contains("9,228 bytes") && e.getMessage().contains("limit of 9,227 bytes")
                && e.getMessage().contains("-Dconvnet4j.data.maxBytes"), e.getMessage());
        Dataset d = CifarBinary.load(files, Datasets.CIFAR10_CLASSES, DataLimits.DEFAULTS.withMaxBytes(9_228));
        assertArrayEquals(new int[] {1, 2, 3}, d.labels());
        assertEquals(expected(0, 2, 31, 31), d.pixel(2, 2, 31, 31)); // the first record of b.bin
    }

    @Test
    void missingBatchOrFolderSaysWhereItLookedAndWhatToPass() throws IOException {
        Files.write(dir.resolve("data_batch_1.bin"), batch(new int[] {0}));
        DataException e = assertThrows(DataException.class, () -> Datasets.cifar10(dir, true));
        assertTrue(e.getMessage().contains("data_batch_2.bin") && e.getMessage().contains("not found"), e.getMessage());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        e = assertThrows(DataException.class, () -> Datasets.cifar10(empty, true));
        assertTrue(e.getMessage().contains("looked for") && e.getMessage().contains("train.zip")
                && e.getMessage().contains("give a folder holding the binary batches"), e.getMessage());
        e = assertThrows(DataException.class, () -> Datasets.cifar10(dir.resolve("absent"), false));
        assertTrue(e.getMessage().contains("absent")
                && e.getMessage().contains("give a folder holding the binary batches"), e.getMessage());
    }
}
