package org.convnet4j.train;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.BatchNormStatistics;
import org.convnet4j.graph.ExecutionPlan;
import org.convnet4j.graph.Executor;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.Profiler;
import org.convnet4j.graph.Weights;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Tensor;

/**
 * One model's weights, gradients and optimizer on one backend, and the steps a training loop is made
 * of: {@link #trainBatch} (upload the batch, run the executor's step: forward, loss, backward; then
 * the optimizer's update) and {@link #evaluateBatch}. Executors are bound once per batch size (the
 * full batch and a last, smaller one) from an {@link ExecutionPlan} and reused every step; the
 * trainer touches none of their tensors but the input. Evaluation and prediction go through an
 * {@link Evaluator}, which needs no optimizer.
 */
public final class Trainer implements AutoCloseable {
    /** Loss (weighted sum over outputs, mean over the batch) and how many main-output predictions were right. */
    public record BatchResult(double loss, int correct, int count) {
        /** The fraction of predictions that were right; NaN for no images. */
        public double accuracy() {
            return (double) correct / count;
        }
    }

    private final Model model;
    private final Backend backend;
    private final Weights weights;
    private final Tensor[] grads;
    private final Optimizer optimizer;
    private final Map<Integer, Executor> trainExecutors = new HashMap<>();
    private final Evaluator evaluator;
    private final Precision precision;
    private final Layout layout;

    /**
     * A trainer in FP32.
     *
     * @param model     the model
     * @param backend   the backend its weights live on
     * @param weights   the weights it trains
     * @param optimizer the optimizer that updates them
     */
    public Trainer(Model model, Backend backend, Weights weights, Optimizer optimizer) {
        this(model, backend, weights, optimizer, Precision.FP32);
    }

    /**
     * Mixed precision as {@code precision} says (see {@link Precision}): master weights, gradients of
     * the weights and the optimizer state stay FP32 whatever it is. Validation runs in it too. Throws
     * an UnsupportedOperationException where the backend cannot compute in it (bf16 on a CPU without
     * native bfloat16, fp16 on the CPU), before anything is allocated. A precision that needs loss
     * scaling (fp16) gives the optimizer a {@link LossScaler#dynamic()} one unless it has one already.
     *
     * @param model     the model
     * @param backend   the backend its weights live on
     * @param weights   the weights it trains
     * @param optimizer the optimizer that updates them
     * @param precision the mixed-precision policy
     */
    public Trainer(Model model, Backend backend, Weights weights, Optimizer optimizer, Precision precision) {
        this(model, backend, weights, optimizer, precision, backend.activationLayout(precision));
    }

    /**
     * As above with image activations in {@code layout} rather than the backend's own: for comparing
     * layouts (a layout the backend's ops do not take fails at the first step). Validation keeps the
     * backend's layout.
     *
     * @param model     the model
     * @param backend   the backend its weights live on
     * @param weights   the weights it trains
     * @param optimizer the optimizer that updates them
     * @param precision the mixed-precision policy
     * @param layout    the memory order of image activations in training steps
     */
    public Trainer(Model model, Backend backend, Weights weights, Optimizer optimizer, Precision precision,
                   Layout layout) {
        backend.checkPrecision(precision);
        if (precision.lossScaling() && optimizer.lossScaler() == null) {
            optimizer.lossScaler(LossScaler.dynamic());
        }
        this.model = model;
        this.backend = backend;
        this.weights = weights;
        this.optimizer = optimizer;
        this.precision = precision;
        this.layout = layout;
        this.evaluator = new Evaluator(model, weights, precision);
        this.grads = new Tensor[model.params().size()];
        for (ParamRef p : model.params()) {
            if (p.trainable()) {
                grads[p.index()] = backend.allocate(p.spec().shape());
            }
        }
    }

    public Model model() {
        return model;
    }

    public Weights weights() {
        return weights;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Backend backend() {
        return backend;
    }

    /** The inference side: evaluation and prediction on these weights. */
    public Evaluator evaluator() {
        return evaluator;
    }

    private Executor trainExecutor(int n) {
        return trainExecutors.computeIfAbsent(n, k -> new Executor(ExecutionPlan.training(model, k, precision, layout),
                weights, grads));
    }

    /** The mixed-precision policy this trainer runs in. */
    public Precision precision() {
        return precision;
    }

    /**
     * One training step on {@code count} images (count x C x H x W in [0, 1]) and their class indices.
     * With the optimizer's {@link LossScaler} the loss gradient is scaled, and a step whose gradients
     * overflow is skipped (see {@link Optimizer#step}): the loss and accuracy are still returned, and
     * the next step reuses the same step number (and dropout masks).
     *
     * @param images count images, NCHW, in [0, 1]
     * @param labels count class indices
     * @param count  how many
     * @return the batch's mean loss (unscaled) and correct count
     * @throws NonFiniteLossException where the loss is infinite or NaN
     */
    public BatchResult trainBatch(float[] images, int[] labels, int count) {
        Executor ex = trainExecutor(count);
        Evaluator.upload(backend, ex, images, labels, count);
        long step = optimizer.iterations() + 1;
        Executor.StepResult r = ex.trainStep(step, optimizer.lossScale());
        if (!Double.isFinite(r.loss())) {
            throw new NonFiniteLossException(step, r.loss());
        }
        long t0 = Profiler.ON ? System.nanoTime() : 0;
        optimizer.step(weights, grads);
        if (Profiler.ON) {
            Profiler.add("(optimizer)", 1, System.nanoTime() - t0);
        }
        return new BatchResult(r.loss(), r.correct(), count);
    }

    /**
     * The training-mode forward pass alone (batch statistics; dropout as in training): no loss, no
     * backward, no update. Returns the batch-norm layers, whose saved statistics now hold this batch's.
     */
    public List<BatchNormStatistics> forwardTraining(float[] images, int count) {
        Executor ex = trainExecutor(count);
        Evaluator.upload(backend, ex, images, new int[count], count);
        ex.forward(true, optimizer.iterations() + 1);
        return ex.batchNorms();
    }

    /** Loss and accuracy of the main output on one batch, in inference mode (moving statistics, no dropout). */
    public BatchResult evaluateBatch(float[] images, int[] labels, int count) {
        return evaluator.evaluateBatch(images, labels, count);
    }

    /** Class probabilities of the main output for a batch, in inference mode: count x classes. */
    public float[] predictBatch(float[] images, int count) {
        return evaluator.predictBatch(images, count);
    }

    @Override
    public void close() {
        trainExecutors.values().forEach(Executor::close);
        evaluator.close();
        for (Tensor g : grads) {
            if (g != null) {
                g.close();
            }
        }
    }
}
