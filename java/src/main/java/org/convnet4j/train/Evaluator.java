package org.convnet4j.train;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.BatchNormStatistics;
import org.convnet4j.graph.ExecutionPlan;
import org.convnet4j.graph.Executor;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.Weights;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Tensor;

/**
 * Inference on one model's weights, with no optimizer and no gradients: the loss and accuracy of a
 * labelled batch ({@link #evaluateBatch}) and class probabilities ({@link #predictBatch}), in
 * inference mode (moving statistics, no dropout), reading the weights live on every call. Executors
 * are bound once per batch size and reused. A {@link Trainer} holds one for its validation; a
 * service that only predicts wants {@link Predictor}, which freezes the weights for speed.
 */
public final class Evaluator implements AutoCloseable {
    private final Model model;
    private final Backend backend;
    private final Weights weights;
    private final Map<Integer, Executor> executors = new HashMap<>();
    private final Map<Integer, Executor> forwardOnly = new HashMap<>();
    private final Precision precision;
    private final Layout layout;

    /**
     * An evaluator in FP32.
     *
     * @param model   the model
     * @param weights its weights, read live on every call
     */
    public Evaluator(Model model, Weights weights) {
        this(model, weights, Precision.FP32);
    }

    /**
     * An evaluator in {@code precision} (image activations in its type, in the backend's layout).
     *
     * @param model     the model
     * @param weights   its weights, read live on every call
     * @param precision the mixed-precision policy
     * @throws UnsupportedOperationException where the weights' backend cannot compute in it
     */
    public Evaluator(Model model, Weights weights, Precision precision) {
        this.model = model;
        this.backend = weights.backend();
        this.weights = weights;
        backend.checkPrecision(precision);
        this.precision = precision;
        this.layout = backend.activationLayout(precision);
    }

    /**
     * The mixed-precision policy this evaluator runs in.
     *
     * @return the precision
     */
    public Precision precision() {
        return precision;
    }

    private Executor executor(int n) {
        return executors.computeIfAbsent(n, k -> new Executor(ExecutionPlan.inference(model, k, precision, layout),
                weights, null));
    }

    /**
     * Loss and accuracy of the main output on one batch, in inference mode.
     *
     * @param images at least count x C x H x W pixel values, as in training
     * @param labels at least count class indices
     * @param count  the batch size
     * @return the mean loss and how many were classified right
     */
    public Trainer.BatchResult evaluateBatch(float[] images, int[] labels, int count) {
        Executor ex = executor(count);
        upload(backend, ex, images, labels, count);
        Executor.StepResult r = ex.evaluate();
        return new Trainer.BatchResult(r.loss(), r.correct(), count);
    }

    /**
     * Class probabilities of the main output for a batch, in inference mode.
     *
     * @param images at least count x C x H x W pixel values, as in training
     * @param count  the batch size
     * @return count x classes probabilities, row by row
     */
    public float[] predictBatch(float[] images, int count) {
        Executor ex = executor(count);
        upload(backend, ex, images, new int[count], count);
        ex.forward(false, 0);
        int k = model.classes();
        float[] logits = new float[count * k];
        backend.download(ex.logits(0), logits);
        return Images.softmax(logits, count, k);
    }

    /**
     * The training-mode forward pass alone (batch statistics; dropout as in training step {@code step}):
     * no loss, no backward, no update. Returns the batch-norm layers, whose saved statistics now hold
     * this batch's ({@link PreciseBatchNorm}). Bound once per batch size, with no parameter gradients.
     *
     * @param images at least count x C x H x W pixel values
     * @param count  the batch size
     * @param step   the training step whose dropout masks to draw
     * @return the model's batch-norm layers, in graph order
     */
    public List<BatchNormStatistics> forwardTraining(float[] images, int count, long step) {
        Executor ex = forwardOnly.computeIfAbsent(count, k ->
                new Executor(ExecutionPlan.training(model, k, precision, layout), weights,
                        new Tensor[model.params().size()]));
        upload(backend, ex, images, new int[count], count);
        ex.forward(true, step);
        return ex.batchNorms();
    }

    /** Checks and uploads a batch: at least count images, all finite, and at least count labels. */
    static void upload(Backend backend, Executor ex, float[] images, int[] labels, int count) {
        int per = Math.toIntExact(ex.input().size() / count);
        if (labels == null || labels.length < count) {
            throw new IllegalArgumentException("batch: expected " + count + " labels. Received "
                    + (labels == null ? "null" : labels.length));
        }
        Images.check(images, per, count);
        backend.upload(images.length == (long) per * count ? images : Arrays.copyOf(images, per * count), ex.input());
        ex.setLabels(labels.length == count ? labels : Arrays.copyOf(labels, count));
    }

    @Override
    public void close() {
        executors.values().forEach(Executor::close);
        executors.clear();
        forwardOnly.values().forEach(Executor::close);
        forwardOnly.clear();
    }
}
