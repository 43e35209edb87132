package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
    void truncatedZipAndMissingPathAreNamed() throws IOException {
        byte[] whole = Files.readAllBytes(TestImages.zip(dir.resolve("set.zip"), entries()));
        Path cut = Files.write(dir.resolve("cut.zip"), Arrays.copyOf(whole, whole.length / 2));
        DataException ex = assertThrows(DataException.class, () -> ImageFolder.load(cut, 4, 4, ORDER));
        assertTrue(ex.getMessage().contains("cut.zip") && ex.getMessage().contains("zip"), ex.getMessage());
        ex = assertThrows(DataException.class, () -> Datasets.flowers(dir.resolve("absent"), 8, 8));
        assertTrue(ex.getMessage().contains("absent") && ex.getMessage().contains("give flowers-160.zip"), ex.getMessage());
    }
}
