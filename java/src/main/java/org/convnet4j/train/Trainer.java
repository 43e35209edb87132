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
    /**
     * Loss (weighted sum over outputs, mean over the batch) and how many main-output predictions were right.
     *
     * @param loss the loss
     * @param correct images whose top class is their label
     * @param count images in the batch (or data set)
     */
    public record BatchResult(double loss, int correct, int count) {
        /**
         * The fraction of predictions that were right; NaN for no images.
         *
         * @return correct / count
         */
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

    /**
     * The model trained.
     *
     * @return the model
     */
    public Model model() {
        return model;
    }

    /**
     * The weights every step updates in place (the caller's; {@link #close} leaves them open).
     *
     * @return the weights
     */
    public Weights weights() {
        return weights;
    }

    /**
     * The optimizer every step applies (the caller's; {@link #close} leaves it open).
     *
     * @return the optimizer
     */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * The backend everything runs on, the weights' backend.
     *
     * @return the backend
     */
    public Backend backend() {
        return backend;
    }

    /**
     * The inference side: evaluation and prediction on these weights.
     *
     * @return the evaluator, owned and closed by this trainer
     */
    public Evaluator evaluator() {
        return evaluator;
    }

    private Executor trainExecutor(int n) {
        return trainExecutors.computeIfAbsent(n, k -> new Executor(ExecutionPlan.training(model, k, precision, layout),
                weights, grads));
    }

    /**
     * The mixed-precision policy this trainer runs in.
     *
     * @return the precision of its activations
     */
    public Precision precision() {
        return precision;
    }

    /**
     * One training step on {@code count} images (count x C x H x W in [0, 1]) and their class indices:
     * forward, loss, backward, then the optimizer's update at step {@code optimizer().iterations() + 1}.
     * Binds an executor the first time a batch size is seen. With the optimizer's {@link LossScaler}
     * the loss gradient is scaled, and a step whose gradients overflow is skipped (see
     * {@link Optimizer#step}): the loss and accuracy are still returned, and the next step reuses the
     * same step number (and dropout masks).
     *
     * @param images at least count images, FP32 NCHW, row after row; only the first count are read
     * @param labels at least count class indices
     * @param count the batch size
     * @return the batch's mean loss (unscaled) and correct count
     * @throws NonFiniteLossException if the loss is NaN or infinite; then nothing is updated
     * @throws IllegalArgumentException if the images or labels are too few
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
     *
     * @param images at least count images, FP32 NCHW
     * @param count the batch size
     * @return the batch-norm layers of the executor for this batch size, owned by this trainer
     * @throws IllegalArgumentException if the images are too few
     */
    public List<BatchNormStatistics> forwardTraining(float[] images, int count) {
        Executor ex = trainExecutor(count);
        Evaluator.upload(backend, ex, images, new int[count], count);
        ex.forward(true, optimizer.iterations() + 1);
        return ex.batchNorms();
    }

    /**
     * Loss and accuracy of the main output on one batch, in inference mode (moving statistics, no dropout).
     *
     * @param images at least count images, FP32 NCHW
     * @param labels at least count class indices
     * @param count the batch size
     * @return the batch's loss and correct count
     */
    public BatchResult evaluateBatch(float[] images, int[] labels, int count) {
        return evaluator.evaluateBatch(images, labels, count);
    }

    /**
     * Class probabilities of the main output for a batch, in inference mode: count x classes.
     *
     * @param images at least count images, FP32 NCHW
     * @param count the batch size
     * @return count x classes probabilities, row by row
     */
    public float[] predictBatch(float[] images, int count) {
        return evaluator.predictBatch(images, count);
    }

    /** Closes the executors, the evaluator and the gradients; the weights, optimizer and backend stay open. */
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
