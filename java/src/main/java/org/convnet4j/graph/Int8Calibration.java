package org.convnet4j.graph;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Int8Range;

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
