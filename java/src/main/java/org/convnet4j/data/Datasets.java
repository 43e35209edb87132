package org.convnet4j.data;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The data sets of the model zoo (see docs/ZOO.md), loaded from wherever they are found, plus the two
 * operations the reference runs apply to them: a fixed-order split and a seeded shuffle. A data set
 * that is not there is a {@link DataNotFoundException} saying where it looked and what to give instead.
 * The sizes files declare (IDX headers, zip entries, image headers) are checked against
 * {@link DataLimits#current()} before anything is inflated or decoded ({@link DataLimitException}).
 */
public final class Datasets {
    /**
     * Where Debian's dataset-fashion-mnist package installs the four gzip'd IDX files.
     *
     */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** Fashion-MNIST's class names, in label order. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** CIFAR-10's class names, in label order. */
    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");
    /** tf_flowers' label order (not alphabetical). */
    public static final List<String> FLOWERS_CLASSES = List.of("dandelion", "daisy", "tulips", "sunflowers", "roses");

    /** The seed of the fixed permutation {@link #flowers} applies after sorting by path; see there. */
    public static final long FLOWERS_ORDER_SEED = 20_190_331L;

    private static final String CIFAR_HELP = "give a folder holding the binary batches"
            + " (data_batch_1.bin .. data_batch_5.bin, test_batch.bin, or their cifar-10-batches-bin folder),"
            + " or holding train.zip / test.zip of class folders of images, or one such zip, or a folder of class folders";
    private static final String FLOWERS_HELP = "give flowers-160.zip, TensorFlow's flower_photos"
            + " folder, or a zip or folder with one folder per class (daisy/, dandelion/, roses/, sunflowers/,"
            + " tulips/)";

    private Datasets() {
    }

    /**
     * Fashion-MNIST from {@link #FASHION_MNIST_DIR}: 60,000 training or 10,000 test images, 1 x 28 x 28.
     *
     * @param train true for the training part, false for the test part
     * @return the images and labels
     */
    public static Dataset fashionMnist(boolean train) {
        return fashionMnist(FASHION_MNIST_DIR, train);
    }

    /**
     * Fashion-MNIST from {@code dir}, holding {train,t10k}-{images-idx3,labels-idx1}-ubyte, gzip'd or not.
     *
     * @param dir the folder of the IDX files
     * @param train true for the training part, false for the test part
     * @return the images and labels
     */
    public static Dataset fashionMnist(Path dir, boolean train) {
        String prefix = train ? "train" : "t10k";
        Path images = idxFile(dir, prefix + "-images-idx3-ubyte");
        Path labels = idxFile(dir, prefix + "-labels-idx1-ubyte");
        return Idx.load(images, labels, FASHION_MNIST_CLASSES);
    }

    private static Path idxFile(Path dir, String name) {
        for (String candidate : List.of(name + ".gz", name)) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DataNotFoundException("Fashion-MNIST not found: looked for " + dir.resolve(name + ".gz") + " and "
                + dir.resolve(name) + ". Install it with `apt-get install dataset-fashion-mnist` (the files land in "
                + FASHION_MNIST_DIR + ") or give the folder holding the four IDX files");
    }

    /**
     * CIFAR-10 (3 x 32 x 32), training (50,000) or test (10,000) part, from whichever form {@code path}
     * holds: a zip of class folders (used as given, whatever {@code train} says); a folder holding
     * train.zip and test.zip; the official binary batches (or their cifar-10-batches-bin folder); a
     * folder holding train/ and test/; or a folder of class folders. Images that are not 32 x 32 are
     * resized bilinearly.
     *
     * @param path a zip or folder in one of those forms
     * @param train true for the training part, false for the test part
     * @return the images and labels
     */
    public static Dataset cifar10(Path path, boolean train) {
        if (Files.isRegularFile(path)) {
            return path.toString().endsWith(".bin")
                    ? CifarBinary.load(List.of(path), CIFAR10_CLASSES)
                    : ImageFolder.load(path, CifarBinary.SIDE, CifarBinary.SIDE, CIFAR10_CLASSES);
        }
        if (!Files.isDirectory(path)) {
            throw new DataNotFoundException("CIFAR-10 not found at " + path + ": no such file or folder; " + CIFAR_HELP);
        }
        Path dir = Files.isDirectory(path.resolve("cifar-10-batches-bin")) ? path.resolve("cifar-10-batches-bin") : path;
        if (Files.exists(dir.resolve("data_batch_1.bin")) || Files.exists(dir.resolve("test_batch.bin"))) {
            List<Path> files = new ArrayList<>();
            if (train) {
                for (int i = 1; i <= 5; i++) {
                    files.add(dir.resolve("data_batch_" + i + ".bin"));
                }
            } else {
                files.add(dir.resolve("test_batch.bin"));
            }
            return CifarBinary.load(files, CIFAR10_CLASSES);
        }
        String part = train ? "train" : "test";
        for (Path candidate : List.of(path.resolve(part + ".zip"), path.resolve(part))) {
            if (Files.exists(candidate)) {
                return ImageFolder.load(candidate, CifarBinary.SIDE, CifarBinary.SIDE, CIFAR10_CLASSES);
            }
        }
        if (CIFAR10_CLASSES.stream().anyMatch(c -> Files.isDirectory(path.resolve(c)))) {
            return ImageFolder.load(path, CifarBinary.SIDE, CifarBinary.SIDE, CIFAR10_CLASSES);
        }
        throw new DataNotFoundException("CIFAR-10 not found in " + path + ": looked for cifar-10-batches-bin/, "
                + "data_batch_1.bin, test_batch.bin, " + part + ".zip, " + part + "/ and class folders (airplane/, ...); "
                + CIFAR_HELP);
    }

    /**
     * tf_flowers (3,670 photos, 5 classes, {@link #FLOWERS_CLASSES} order), resized to height x width.
     *
     * <p>Order: files are sorted by path ({@code <class>/<file>}, see {@link ImageFolder}), then permuted
     * by {@link Shuffle#permutation}(n, {@link #FLOWERS_ORDER_SEED}). The permutation matters for the
     * reference's "first 70% train, last 30% validation": in path order the last 30% would be the end of
     * sunflowers and all of tulips, a validation set of two classes, with tulips never trained on.
     * TFDS's own order is a hash-based shuffle fixed at build time; this is a fixed order of the same kind,
     * not the same permutation.
     *
     * @param zipOrDir flower_photos as a zip or a folder
     * @param height rows to resize to
     * @param width columns to resize to
     * @return the images and labels
     */
    public static Dataset flowers(Path zipOrDir, int height, int width) {
        Path source = flowersSource(zipOrDir);
        return ImageFolder.loadPermuted(source, height, width, FLOWERS_CLASSES, FLOWERS_ORDER_SEED);
    }

    private static Path flowersSource(Path path) {
        if (Files.isRegularFile(path)) {
            return path;
        }
        if (!Files.isDirectory(path)) {
            throw new DataNotFoundException("tf_flowers not found at " + path + ": no such file or folder; " + FLOWERS_HELP);
        }
        for (String inside : List.of("flowers-160.zip", "flower_photos")) {
            if (Files.exists(path.resolve(inside))) {
                return path.resolve(inside);
            }
        }
        if (FLOWERS_CLASSES.stream().anyMatch(c -> Files.isDirectory(path.resolve(c)))) {
            return path;
        }
        throw new DataNotFoundException("tf_flowers not found in " + path + ": looked for flowers-160.zip, flower_photos/ and"
                + " class folders (daisy/, ...); " + FLOWERS_HELP);
    }

    /**
     * A zip or folder of class folders, labelled by {@code classOrder}, in path order (see {@link ImageFolder}).
     *
     * @param zipOrDir a zip or folder of class folders
     * @param height rows to resize to
     * @param width columns to resize to
     * @param classOrder the class folder names in label order
     * @return the images and labels
     */
    public static Dataset imageFolder(Path zipOrDir, int height, int width, List<String> classOrder) {
        return ImageFolder.load(zipOrDir, height, width, classOrder);
    }

    /**
     * As above, with the class folders' names sorted as the label order (as Keras does).
     *
     * @param zipOrDir a zip or folder of class folders
     * @param height rows to resize to
     * @param width columns to resize to
     * @return the images and labels
     */
    public static Dataset imageFolder(Path zipOrDir, int height, int width) {
        return ImageFolder.load(zipOrDir, height, width, ImageFolder.classFolders(zipOrDir));
    }

    /**
     * The first floor(n x trainFraction) images for training, the rest for validation, in the data set's
     * order (no shuffle: shuffle first if the order is meaningful). The product is taken in decimal,
     * so 90 x 0.7 is exactly 63, not the 62.99999999999999 of binary floating point.
     *
     * @param data the data set
     * @param trainFraction in [0, 1]
     * @return the two parts
     */
    public static Split split(Dataset data, double trainFraction) {
        if (!(trainFraction >= 0 && trainFraction <= 1)) {
            throw new IllegalArgumentException("split: expected a train fraction in [0, 1]. Received " + trainFraction);
        }
        int k = BigDecimal.valueOf(trainFraction).multiply(BigDecimal.valueOf(data.size()))
                .setScale(0, RoundingMode.FLOOR).intValueExact();
        return new Split(data.slice(0, k), data.slice(k, data.size()));
    }

    /**
     * A copy of {@code data} in the order {@link Shuffle#permutation}(size, seed).
     *
     * @param data the data set
     * @param seed the permutation's seed
     * @return the shuffled copy
     */
    public static Dataset shuffled(Dataset data, long seed) {
        int[] order = Shuffle.permutation(data.size(), seed);
        int imageSize = data.imageSize();
        byte[] pixels = new byte[data.size() * imageSize];
        int[] labels = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            data.copyImage(order[i], pixels, i * imageSize);
            labels[i] = data.label(order[i]);
        }
        return new Dataset(pixels, labels, data.channels(), data.height(), data.width(), data.classNames());
    }
}
