package org.convnet4j.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A data set stored as one folder per class ({@code <class>/<file>}), in a zip or a directory: the layout
 * of tf_flowers' flower_photos and of Keras' {@code image_dataset_from_directory}. Images are decoded
 * with ImageIO ({@link ImageDecoder}: RGB, alpha dropped, gray replicated) and resized to height x
 * width with {@link BilinearResize} (tf.image.resize, bilinear, rounded to bytes).
 *
 * <p>Order: all files are sorted by their path string {@code <class folder>/<file name>} (String order,
 * so by class folder name, then file name), whatever order the zip or the file system lists them in.
 * Labels are the index of the class folder in the class order given. Top-level files (a LICENSE.txt
 * beside the class folders) are ignored; every file inside a class folder must be an image.
 *
 * <p>Decoding runs on a fixed pool of one thread per core; each image is written to its own slot, so the
 * result does not depend on scheduling.
 */
public final class ImageFolder {
    private ImageFolder() {
    }

    /**
     * Loads every image under {@code zipOrDir}, labelled by the position of its folder in {@code classOrder},
     * within the limits {@link DataLimits#current()}.
     *
     * @param zipOrDir a zip or folder of class folders
     * @param height rows to resize to
     * @param width columns to resize to
     * @param classOrder the class folder names in label order
     * @return the images and labels
     */
    public static Dataset load(Path zipOrDir, int height, int width, List<String> classOrder) {
        return load(zipOrDir, height, width, classOrder, DataLimits.current());
    }

    static Dataset load(Path zipOrDir, int height, int width, List<String> classOrder, DataLimits limits) {
        return load(zipOrDir, height, width, classOrder, false, 0, limits);
    }

    /**
     * As {@link #load}, with the path-sorted files then put in the order {@link Shuffle#permutation}(n, seed)
     * before decoding: the same result as shuffling the loaded data set, without holding it twice.
     */
    static Dataset loadPermuted(Path zipOrDir, int height, int width, List<String> classOrder, long seed) {
        return load(zipOrDir, height, width, classOrder, true, seed, DataLimits.current());
    }

    private static Dataset load(Path zipOrDir, int height, int width, List<String> classOrder, boolean permute,
            long seed, DataLimits limits) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("ImageFolder: expected a positive target size. Received " + height
                    + " x " + width);
        }
        try (ImageSource source = ImageSource.open(zipOrDir, limits)) {
            List<String> files = imageFiles(source);
            if (permute) {
                int[] order = Shuffle.permutation(files.size(), seed);
                List<String> sorted = files;
                files = new ArrayList<>(sorted.size());
                for (int i : order) {
                    files.add(sorted.get(i));
                }
            }
            int[] labels = labels(source, files, classOrder);
            byte[] pixels = decodeAll(source, files, height, width);
            return new Dataset(pixels, labels, 3, height, width, classOrder);
        } catch (IOException e) {
            throw new DataException(zipOrDir + ": cannot close: " + e, e);
        }
    }

    /**
     * The class folder names under {@code zipOrDir}, sorted: the label order Keras would use.
     *
     * @param zipOrDir a zip or folder of class folders
     * @return the names, sorted
     */
    public static List<String> classFolders(Path zipOrDir) {
        try (ImageSource source = ImageSource.open(zipOrDir, DataLimits.current())) {
            return List.copyOf(new TreeSet<>(byClass(imageFiles(source)).keySet()));
        } catch (IOException e) {
            throw new DataException(zipOrDir + ": cannot close: " + e, e);
        }
    }

    /** Files inside a class folder, sorted by path. */
    private static List<String> imageFiles(ImageSource source) {
        List<String> files = new ArrayList<>();
        for (String f : source.files()) {
            if (f.indexOf('/') > 0) {
                files.add(f);
            }
        }
        files.sort(null);
        if (files.isEmpty()) {
            throw new DataException(source.root + ": no images found; expected one folder per class holding"
                    + " image files (<class>/<file>.jpg)");
        }
        return files;
    }

    private static Map<String, Integer> byClass(List<String> files) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String f : files) {
            counts.merge(f.substring(0, f.indexOf('/')), 1, Integer::sum);
        }
        return counts;
    }

    private static int[] labels(ImageSource source, List<String> files, List<String> classOrder) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classOrder.size(); i++) {
            index.put(classOrder.get(i), i);
        }
        Map<String, Integer> found = byClass(files);
        List<String> missing = classOrder.stream().filter(c -> !found.containsKey(c)).toList();
        List<String> extra = found.keySet().stream().filter(c -> !index.containsKey(c)).toList();
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new DataException(source.root + ": expected image folders for the classes " + classOrder
                    + "; found folders " + found.keySet() + (missing.isEmpty() ? "" : ", none for " + missing)
                    + (extra.isEmpty() ? "" : ", unexpected " + extra));
        }
        int[] labels = new int[files.size()];
        for (int i = 0; i < labels.length; i++) {
            String f = files.get(i);
            labels[i] = index.get(f.substring(0, f.indexOf('/')));
        }
        return labels;
    }

    private static byte[] decodeAll(ImageSource source, List<String> files, int height, int width) {
        source.limits.checkDataSet(source.root + ": " + files.size() + " images resized to 3 x " + height + " x " + width,
                (long) files.size() * 3 * height * width, files.size());
        int imageBytes = 3 * height * width;
        byte[] pixels = new byte[files.size() * imageBytes];
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), files.size()));
        AtomicInteger next = new AtomicInteger();
        Map<Integer, RuntimeException> failures = new ConcurrentSkipListMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "convnet4j-decode");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < files.size() && failures.isEmpty();
                            i = next.getAndIncrement()) {
                        String name = source.describe(files.get(i));
                        try {
                            ImageDecoder.Rgb rgb = ImageDecoder.decode(source.read(files.get(i)), name, source.limits);
                            BilinearResize.resize(rgb.planes(), 3, rgb.height(), rgb.width(), pixels,
                                    i * imageBytes, height, width);
                        } catch (RuntimeException e) {
                            failures.put(i, e instanceof DataException ? e
                                    : new DataException(name + ": cannot load image: " + e, e));
                        }
                    }
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException(source.root + ": interrupted while decoding images", e);
        } catch (ExecutionException e) {
            // Only an Error (out of memory, ...) gets here; everything else was caught per image.
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new DataException(source.root + ": " + e.getCause(), e);
        } finally {
            pool.shutdownNow();
        }
        if (!failures.isEmpty()) {
            throw failures.values().iterator().next(); // the lowest failing index, whichever thread saw it
        }
        return pixels;
    }
}
