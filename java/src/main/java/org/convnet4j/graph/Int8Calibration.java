package org.convnet4j.graph;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Int8Range;
import org.convnet4j.io.AtomicFiles;

/**
 * What int8 inference needs to know about a model's data: the range of the input of every frozen
 * convolution (each conv-bn-relu chain a frozen executor runs as one) and every dense layer, seen
 * while the model in FP32 ran on calibration images, usually a few hundred training images. {@link
 * Executor#frozen(Model, Weights, int, Int8Calibration)} and the int8 {@code Predictor} quantize each
 * layer's input with its range ({@link Int8Range}: u8 where it never went below zero, s8 otherwise); values outside
 * it saturate, so the calibration images should be like the ones the model will see.
 *
 * <pre>{@code
 * Int8Calibration c = Int8Calibration.calibrate(model, weights, images, 500);
 * try (Predictor p = new Predictor(model, weights, 1, c)) { ... }
 * }</pre>
 */
public final class Int8Calibration {
    /** The batch calibration runs at: large enough to amortize the calls, small enough for any model. */
    static final int BATCH = 16;

    private final String model;
    private final Map<String, Int8Range> ranges;
    private final int images;

    private Int8Calibration(String model, Map<String, Int8Range> ranges, int images) {
        this.model = model;
        this.ranges = Collections.unmodifiableMap(new LinkedHashMap<>(ranges));
        this.images = images;
    }

    /**
     * Runs {@code model} frozen in FP32 over the first {@code count} of {@code images} and records the
     * smallest and largest input value of every frozen convolution and dense layer.
     *
     * @param model the model
     * @param weights its weights (as they will be quantized: calibrate after training)
     * @param images count images, NCHW, scaled as in training
     * @param count how many to run, at least 1
     * @return the ranges, one per frozen convolution and dense layer
     * @throws IllegalArgumentException if count is not positive, images holds fewer, or a value is NaN
     *                                  or infinite
     */
    public static Int8Calibration calibrate(Model model, Weights weights, float[] images, int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("Int8Calibration: expected at least 1 calibration image. Received " + count);
        }
        int batch = Math.min(count, BATCH);
        Backend backend = weights.backend();
        Map<String, float[]> seen = new LinkedHashMap<>();
        Map<String, float[]> buffers = new HashMap<>();
        try (Executor e = Executor.frozen(model, weights, batch)) {
            int per = Math.toIntExact(e.input().size() / batch);
            if (images == null || images.length < (long) per * count) {
                throw new IllegalArgumentException("Int8Calibration: expected " + count + " images of " + per
                        + " values. Received " + (images == null ? "null" : images.length + " values"));
            }
            float[] staging = new float[per * batch];
            int[] valid = new int[1];
            e.observeConvInputs((name, x) -> {
                float[] v = buffers.computeIfAbsent(name, k -> new float[Math.toIntExact(x.size())]);
                backend.download(x, v);
                int n = Math.toIntExact(x.size() / batch) * valid[0];
                float[] mm = seen.computeIfAbsent(name, k -> new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
                for (int i = 0; i < n; i++) {
                    float f = v[i];
                    if (!Float.isFinite(f)) {
                        throw new IllegalArgumentException("Int8Calibration: the input of " + name + " holds " + f
                                + "; calibrate on finite images with finite weights");
                    }
                    mm[0] = Math.min(mm[0], f);
                    mm[1] = Math.max(mm[1], f);
                }
            });
            for (int from = 0; from < count; from += batch) {
                valid[0] = Math.min(batch, count - from);
                System.arraycopy(images, from * per, staging, 0, valid[0] * per);
                Arrays.fill(staging, valid[0] * per, staging.length, 0f);
                backend.upload(staging, e.input());
                e.forward(false, 0);
            }
        }
        Map<String, Int8Range> ranges = new LinkedHashMap<>();
        seen.forEach((name, mm) -> ranges.put(name, new Int8Range(mm[0], mm[1])));
        return new Int8Calibration(model.name(), ranges, count);
    }

    /**
     * Ranges made elsewhere (read back from a file, or chosen by hand), one per frozen convolution by
     * its layer name.
     *
     * @param model the model's name
     * @param ranges the input range of each frozen convolution, by the convolution layer's name
     * @param images how many images they were measured on (reported only)
     * @return the calibration
     */
    public static Int8Calibration of(String model, Map<String, Int8Range> ranges, int images) {
        if (model == null || ranges == null) {
            throw new IllegalArgumentException("Int8Calibration: model and ranges must not be null");
        }
        return new Int8Calibration(model, ranges, images);
    }

    /** The first line of a calibration file, before the model's name and the image count. */
    static final String MAGIC = "convnet4j-int8-calibration 1";

    /**
     * Writes the ranges as text, so that a service can calibrate once and load them at start-up
     * without the training data: a first line {@code convnet4j-int8-calibration 1 MODEL IMAGES}, then
     * one line {@code LAYER MIN MAX} per range (floats as Java prints them, which read back exactly).
     * Written atomically (a temporary file, then a rename).
     *
     * @param file where to write
     * @throws IOException if it cannot be written
     */
    public void write(Path file) throws IOException {
        for (String name : ranges.keySet()) {
            requireNoSpace("layer", name);
        }
        requireNoSpace("model", model);
        StringBuilder b = new StringBuilder(MAGIC).append(' ').append(model).append(' ').append(images).append('\n');
        ranges.forEach((name, r) -> b.append(name).append(' ').append(r.min()).append(' ').append(r.max()).append('\n'));
        AtomicFiles.write(file, b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads what {@link #write} wrote.
     *
     * @param file the calibration file
     * @return the calibration
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if it is not a calibration file, or a line is malformed (named
     *                                  with its number), or a range is not finite or has min above max
     */
    public static Int8Calibration read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IllegalArgumentException(file + ": " + Files.size(file) + " bytes is too large for an int8 calibration"
                    + " file (at most " + MAX_FILE_BYTES + ")");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String[] head = lines.isEmpty() ? new String[0] : lines.get(0).split(" ");
        if (head.length != 4 || !(head[0] + " " + head[1]).equals(MAGIC)) {
            throw new IllegalArgumentException(file + ": not an int8 calibration file (expected a first line '" + MAGIC
                    + " MODEL IMAGES')");
        }
        int images;
        try {
            images = Integer.parseInt(head[3]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ":1: the image count '" + head[3] + "' is not an integer");
        }
        Map<String, Int8Range> ranges = new LinkedHashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" +");
            if (f.length != 3) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected 'LAYER MIN MAX'. Received '" + line + "'");
            }
            try {
                Int8Range r = new Int8Range(Float.parseFloat(f[1]), Float.parseFloat(f[2]));
                if (ranges.put(f[0], r) != null) {
                    throw new IllegalArgumentException("layer " + f[0] + " appears twice");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new Int8Calibration(head[2], ranges, images);
    }

    private static void requireNoSpace(String what, String name) {
        if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("Int8Calibration: a " + what + " name with white space cannot be written: '"
                    + name + "'");
        }
    }

    /** Far more than any model's layers need (a line is a name and two floats). */
    private static final long MAX_FILE_BYTES = 1 << 20;

    /**
     * The name of the model it was made for.
     *
     * @return the model's name
     */
    public String model() {
        return model;
    }

    /**
     * How many images the ranges were measured on.
     *
     * @return the image count
     */
    public int images() {
        return images;
    }

    /**
     * Every range, by the name of the convolution layer heading its frozen chain or of the dense layer,
     * in execution order.
     *
     * @return an unmodifiable map
     */
    public Map<String, Int8Range> ranges() {
        return ranges;
    }

    /**
     * The input range of the frozen convolution headed by layer {@code conv}.
     *
     * @param conv the convolution layer's name
     * @return its range
     * @throws IllegalArgumentException if it has none (a calibration of another model or graph)
     */
    public Int8Range range(String conv) {
        Int8Range r = ranges.get(conv);
        if (r == null) {
            throw new IllegalArgumentException("Int8Calibration: no range for convolution " + conv + " of model " + model
                    + " (" + ranges.size() + " calibrated); calibrate this model as it is built now");
        }
        return r;
    }

    @Override
    public String toString() {
        return "int8 calibration of " + model + " on " + images + " images, " + ranges.size() + " convolutions";
    }
}
