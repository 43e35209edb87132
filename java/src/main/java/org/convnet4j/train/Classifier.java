package org.convnet4j.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.convnet4j.backend.Backend;
import org.convnet4j.data.ImageInput;
import org.convnet4j.graph.Int8Calibration;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.Weights;
import org.convnet4j.io.Checkpoint;

/**
 * A {@link Predictor} with the names of its classes: images in, the most probable labels out. Safe to
 * share between threads as its predictor is. Closing it closes the predictor.
 *
 * <pre>{@code
 * try (Classifier c = Classifier.load(model, backend, Path.of("checkpoint.safetensors"))) {
 *     List<Prediction> top3 = c.top(Path.of("photo.jpg"), 3);   // [Sneaker 0.93, Sandal 0.05, Ankle boot 0.01]
 * }
 * }</pre>
 */
public final class Classifier implements AutoCloseable {
    private final Predictor predictor;
    private final List<String> classNames;
    private final int channels;
    private final int height;
    private final int width;

    /**
     * Names {@code predictor}'s classes; there must be one name per class of its model.
     *
     * @param predictor the frozen model; the classifier then owns it
     * @param classNames the names, in class order
     */
    public Classifier(Predictor predictor, List<String> classNames) {
        int classes = predictor.model().classes();
        if (classNames.size() != classes) {
            throw new IllegalArgumentException("Classifier: model " + predictor.model().name() + " has " + classes
                    + " classes. Received " + classNames.size() + " class names: " + classNames);
        }
        long[] dims = predictor.model().input().shape().dims();
        if (dims.length != 3) {
            throw new IllegalArgumentException("Classifier: expected a model taking C x H x W images. Model "
                    + predictor.model().name() + " takes " + predictor.model().input().shape());
        }
        this.predictor = predictor;
        this.classNames = List.copyOf(classNames);
        this.channels = Math.toIntExact(dims[0]);
        this.height = Math.toIntExact(dims[1]);
        this.width = Math.toIntExact(dims[2]);
    }

    /**
     * Loads the weights of {@code checkpoint} for inference (no optimizer) and names the classes from its
     * metadata, or else "class 0", "class 1", ... Predicts one image per call.
     *
     * @param model the model the checkpoint was trained as
     * @param backend where to predict; stays the caller's
     * @param checkpoint a safetensors checkpoint of the model
     * @return a classifier the caller must close
     */
    public static Classifier load(Model model, Backend backend, Path checkpoint) {
        return load(model, backend, checkpoint, null, 1);
    }

    /**
     * As {@link #load(Model, Backend, Path)}, with the names to use when the checkpoint has none
     * ({@code fallbackNames}, may be null: "class 0", ...) and the most images one call takes.
     *
     * @param model the model the checkpoint was trained as
     * @param backend where to predict; stays the caller's
     * @param checkpoint a safetensors checkpoint of the model
     * @param fallbackNames names for a checkpoint without them, or null
     * @param batch the most images one call takes
     * @return a classifier the caller must close
     */
    public static Classifier load(Model model, Backend backend, Path checkpoint, List<String> fallbackNames, int batch) {
        return load(model, backend, checkpoint, fallbackNames, batch, Precision.FP32);
    }

    /**
     * As above, predicting in {@code precision} (checkpoints are FP32 whatever it is).
     *
     * @param model the model the checkpoint was trained as
     * @param backend where to predict; stays the caller's
     * @param checkpoint a safetensors checkpoint of the model
     * @param fallbackNames names for a checkpoint without them, or null
     * @param batch the most images one call takes
     * @param precision the precision to compute in
     * @return a classifier the caller must close
     */
    public static Classifier load(Model model, Backend backend, Path checkpoint, List<String> fallbackNames, int batch,
                                  Precision precision) {
        return load(model, backend, checkpoint, fallbackNames, w -> new Predictor(model, w, batch, precision));
    }

    /**
     * As above, predicting in int8 with the input ranges of {@code calibration} (see
     * {@link Predictor#Predictor(Model, Weights, int, Int8Calibration)}).
     *
     * @param model the model the checkpoint was trained as
     * @param backend where to predict; stays the caller's
     * @param checkpoint a safetensors checkpoint of the model
     * @param fallbackNames names for a checkpoint without them, or null
     * @param batch the most images one call takes
     * @param calibration the int8 input ranges, made from these weights ({@link Int8Calibration#read})
     * @return a classifier the caller must close
     */
    public static Classifier load(Model model, Backend backend, Path checkpoint, List<String> fallbackNames, int batch,
                                  Int8Calibration calibration) {
        return load(model, backend, checkpoint, fallbackNames, w -> new Predictor(model, w, batch, calibration));
    }

    private static Classifier load(Model model, Backend backend, Path checkpoint, List<String> fallbackNames,
                                   java.util.function.Function<Weights, Predictor> freeze) {
        try (Weights w = new Weights(model, backend)) {
            Checkpoint c = Checkpoints.loadWeights(checkpoint, w);
            List<String> names = Checkpoints.classNames(c)
                    .or(() -> java.util.Optional.ofNullable(fallbackNames))
                    .orElseGet(() -> defaultNames(model.classes()));
            // The predictor copies what it needs: the weights can go.
            Predictor p = freeze.apply(w);
            try {
                return new Classifier(p, names);
            } catch (RuntimeException e) {
                p.close();
                throw e;
            }
        }
    }

    /**
     * "class 0", "class 1", ...: the names of classes nobody named.
     *
     * @param classes the number of classes
     * @return the names
     */
    public static List<String> defaultNames(int classes) {
        return IntStream.range(0, classes).mapToObj(i -> "class " + i).toList();
    }

    /**
     * The {@code k} most probable classes of one image (C x H x W floats, as {@link ImageInput} makes them).
     *
     * @param image one image
     * @param k how many classes, at most the model's
     * @return the classes, most probable first
     */
    public List<Prediction> top(float[] image, int k) {
        return top(image, 1, k).get(0);
    }

    /**
     * The {@code k} most probable classes of the image file (JPEG, PNG, ...), read with {@link ImageInput}.
     *
     * @param imageFile an image file
     * @param k how many classes, at most the model's
     * @return the classes, most probable first
     */
    public List<Prediction> top(Path imageFile, int k) {
        return top(ImageInput.fromFile(imageFile, channels, height, width), k);
    }

    /**
     * The {@code k} most probable classes of each of {@code count} images (count x C x H x W), in order;
     * more images than the predictor's batch are predicted a batch at a time.
     *
     * @param images count images
     * @param count how many
     * @param k how many classes per image
     * @return per image, its classes, most probable first
     */
    public List<List<Prediction>> top(float[] images, int count, int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("Classifier.top: expected k >= 1. Received " + k);
        }
        int per = channels * height * width;
        if (count <= 0 || images.length < (long) count * per) {
            throw new IllegalArgumentException("Classifier.top: expected " + count + " images of " + channels + " x "
                    + height + " x " + width + " = " + (long) count * per + " floats. Received count=" + count + ", "
                    + images.length + " floats");
        }
        List<List<Prediction>> out = new ArrayList<>(count);
        int batch = predictor.batch();
        int classes = classNames.size();
        for (int from = 0; from < count; from += batch) {
            int n = Math.min(batch, count - from);
            float[] chunk = from == 0 && n == count ? images
                    : java.util.Arrays.copyOfRange(images, from * per, (from + n) * per);
            float[] probs = predictor.predict(chunk, n);
            for (int i = 0; i < n; i++) {
                out.add(Prediction.top(probs, i * classes, classNames, k));
            }
        }
        return out;
    }

    /**
     * The input one image must have: channels, height, width.
     *
     * @return {channels, height, width}
     */
    public int[] inputShape() {
        return new int[] {channels, height, width};
    }

    /**
     * The class names, in class order.
     *
     * @return the names
     */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * The frozen model underneath.
     *
     * @return the predictor, owned by this classifier
     */
    public Predictor predictor() {
        return predictor;
    }

    @Override
    public void close() {
        predictor.close();
    }
}
