package org.convnet4j.train;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

import org.convnet4j.graph.ExecutionPlan;
import org.convnet4j.graph.Executor;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Precision;
import org.convnet4j.memory.MemoryLimit;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.tensor.Layout;

/**
 * The backend memory a {@link Trainer} takes to fit a model, worked out from the model and its
 * {@link ExecutionPlan}s before anything is allocated, so that a run too large for its device is
 * refused up front with numbers instead of failing deep inside an allocation. Every part is counted
 * in the pool's size classes, as it will be allocated: the parameters; the gradients and the
 * optimizer's state (Adam's two moments, SGD's velocity) of the trainable ones; the executors a fit
 * binds and keeps for the whole run ({@link Executor#bytes}: training for the full batch and the
 * smaller last one, evaluation likewise on the validation set). Those are what the trainer holds.
 *
 * <p>The margin is for what the primitives take only while they run (oneDNN's reorders, pooling
 * scratch): such blocks go back to the pool's cache, which then keeps one block per size class
 * asked for, and scratch comes in the sizes of the activations. So the margin is twice the sum of
 * the distinct activation size classes of the training steps, plus 1/16 of the rest. On the CPU
 * the estimate came out 3% to 18% above what the pool had reserved after one step of each batch
 * size of a fit of LeNet-5, AlexNet-8, VGG-16 (CIFAR), GoogLeNet, ResNet-50 and Inception-v3; it is
 * an allowance, not a bound, and cuDNN's workspace on a GPU was not measured.
 *
 * @param parameters bytes of every parameter
 * @param gradients bytes of the trainable parameters' gradients
 * @param optimizerState bytes of the optimizer's state
 * @param executors bytes of the executors' activations, arenas and loss tensors
 * @param margin bytes allowed for what primitives take while they run
 */
public record MemoryEstimate(long parameters, long gradients, long optimizerState, long executors, long margin) {

    /**
     * Everything, margin included.
     *
     * @return the sum of the five parts, in bytes
     */
    public long total() {
        return parameters + gradients + optimizerState + executors + margin;
    }

    /**
     * What {@code Fit.run} of a model with a fresh Adam ({@code adam}) or SGD optimizer takes: batches
     * of {@code batchSize} over {@code trainSize} training and {@code validationSize} validation
     * images (0: no validation). A batch larger than a data set is that data set, as the loader makes it.
     * FP32, NCHW activations.
     *
     * @param model the model
     * @param adam true for Adam's two moments, false for SGD's one velocity
     * @param batchSize images per batch, &gt; 0
     * @param trainSize training images, &gt; 0
     * @param validationSize validation images, &gt;= 0
     * @return the estimate; nothing is allocated
     * @throws IllegalArgumentException if a size is out of range
     */
    public static MemoryEstimate fit(Model model, boolean adam, int batchSize, int trainSize, int validationSize) {
        return fit(model, adam, batchSize, trainSize, validationSize, Precision.FP32, Layout.NCHW);
    }

    /**
     * As above for a run in {@code precision} whose backend keeps image activations in {@code layout}
     * ({@link org.convnet4j.backend.Backend#activationLayout}), as its {@link Trainer} plans them.
     *
     * @param model the model
     * @param adam true for Adam's two moments, false for SGD's one velocity
     * @param batchSize images per batch, &gt; 0
     * @param trainSize training images, &gt; 0
     * @param validationSize validation images, &gt;= 0
     * @param precision the activations' precision
     * @param layout the memory order of image activations
     * @return the estimate; nothing is allocated
     * @throws IllegalArgumentException if a size is out of range
     */
    public static MemoryEstimate fit(Model model, boolean adam, int batchSize, int trainSize, int validationSize,
                                     Precision precision, Layout layout) {
        if (batchSize <= 0 || trainSize <= 0 || validationSize < 0) {
            throw new IllegalArgumentException("MemoryEstimate: expected a batch size and a training set size > 0 and a"
                    + " validation set size >= 0. Received batch size " + batchSize + ", " + trainSize + " training and "
                    + validationSize + " validation images");
        }
        long parameters = 0;
        long trainable = 0;
        for (ParamRef p : model.params()) {
            long bytes = MemoryPool.roundUp(p.spec().shape().size() * 4);
            parameters += bytes;
            trainable += p.trainable() ? bytes : 0;
        }
        long executors = 0;
        Set<Long> sizeClasses = new HashSet<>();
        for (int n : batchSizes(batchSize, trainSize)) {
            ExecutionPlan plan = ExecutionPlan.training(model, n, precision, layout);
            executors += Executor.bytes(plan);
            for (ExecutionPlan.Step s : plan.steps()) {
                sizeClasses.add(MemoryPool.roundUp(s.activation().bytes()));
            }
        }
        for (int n : batchSizes(batchSize, validationSize)) {
            executors += Executor.bytes(ExecutionPlan.inference(model, n, precision, layout));
        }
        long optimizerState = (adam ? 2 : 1) * trainable;
        long margin = (parameters + trainable + optimizerState + executors) / 16;
        for (long size : sizeClasses) {
            margin += 2 * size;
        }
        return new MemoryEstimate(parameters, trainable, optimizerState, executors, margin);
    }

    /** The batch sizes an epoch over {@code size} images has: the full one and a smaller last one. */
    private static Set<Integer> batchSizes(int batchSize, int size) {
        Set<Integer> sizes = new TreeSet<>();
        if (size > 0) {
            sizes.add(Math.min(batchSize, size));
            if (size > batchSize && size % batchSize != 0) {
                sizes.add(size % batchSize);
            }
        }
        return sizes;
    }

    /**
     * The total and its parts, for messages.
     *
     * @return e.g. "9.3 GiB (parameters 410 MiB, gradients ..., optimizer state ..., activations ..., margin ...)"
     */
    public String describe() {
        return MemoryLimit.format(total()) + " (parameters " + MemoryLimit.format(parameters) + ", gradients "
                + MemoryLimit.format(gradients) + ", optimizer state " + MemoryLimit.format(optimizerState)
                + ", activations " + MemoryLimit.format(executors) + ", margin " + MemoryLimit.format(margin) + ")";
    }
}
