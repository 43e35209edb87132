package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The real data sets, where this machine has them: Fashion-MNIST from Debian's package, CIFAR-10 and
 * tf_flowers from the project's shared/data folder (found by walking up from the working directory, or
 * at -Dconvnet4j.shared=DIR). Each test is skipped, with the reason, when its data is absent.
 */
class RealDataTest {
    private static Path shared(String relative) {
        String property = System.getProperty("convnet4j.shared");
        if (property != null) {
            return Path.of(property, "data", relative);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("data").resolve(relative);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        return Path.of("shared", "data", relative);
    }

    private static void assumePresent(Path p, String how) {
        assumeTrue(Files.exists(p), p + " is absent; " + how);
    }

    @Test
    void fashionMnistTestSet() {
        assumePresent(Datasets.FASHION_MNIST_DIR, "install it with apt-get install dataset-fashion-mnist");
        long start = System.nanoTime();
        Dataset d = Datasets.fashionMnist(false);
        System.out.printf("Fashion-MNIST test set: %d images read in %.2f s%n", d.size(), (System.nanoTime() - start) / 1e9);
        assertEquals(10_000, d.size());
        assertEquals(1, d.channels());
        assertEquals(28, d.height());
        assertEquals(28, d.width());
        int[] perClass = new int[10];
        Arrays.fill(perClass, 1000);
        assertArrayEquals(perClass, d.classCounts());
        assertEquals(9, d.label(0)); // the first test image is an ankle boot
    }

    @Test
    void cifar10TestZip() {
        Path zip = shared("cifar10/test.zip");
        assumePresent(zip, "it lives in the project's shared/data folder");
        long start = System.nanoTime();
        Dataset d = Datasets.cifar10(zip, false);
        System.out.printf("CIFAR-10 test.zip: %d JPEGs decoded in %.2f s%n", d.size(), (System.nanoTime() - start) / 1e9);
        assertEquals(10_000, d.size());
        assertEquals(3, d.channels());
        assertEquals(32, d.height());
        assertEquals(32, d.width());
        int[] perClass = new int[10];
        Arrays.fill(perClass, 1000);
        assertArrayEquals(perClass, d.classCounts());
        assertEquals(0, d.label(0)); // path order: airplane/ first
        assertEquals(9, d.label(9_999));
    }

    @Test
    void flowersZipAndSplit() {
        Path zip = shared("flowers/flowers-160.zip");
        assumePresent(zip, "it lives in the project's shared/data folder");
        long start = System.nanoTime();
        Dataset d = Datasets.flowers(zip, 64, 64);
        System.out.printf("tf_flowers: %d JPEGs decoded and resized to 64 x 64 in %.2f s%n", d.size(),
                (System.nanoTime() - start) / 1e9);
        assertEquals(3_670, d.size());
        assertEquals(Datasets.FLOWERS_CLASSES, d.classNames());
        // dandelion 898, daisy 633, tulips 799, sunflowers 699, roses 641 in tf_flowers' label order
        assertArrayEquals(new int[] {898, 633, 799, 699, 641}, d.classCounts());
        Split split = Datasets.split(d, 0.7);
        assertEquals(2_569, split.train().size());
        assertEquals(1_101, split.validation().size());
        int[] validation = split.validation().classCounts();
        System.out.println("tf_flowers validation class counts " + Arrays.toString(validation));
        for (int c : validation) {
            assertTrue(c > 100, "every class should be in the validation part: " + Arrays.toString(validation));
        }
    }
}
