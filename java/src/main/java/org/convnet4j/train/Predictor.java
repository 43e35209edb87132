package org.convnet4j.train;

import java.util.Arrays;
import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Executor;
import org.convnet4j.graph.Int8Calibration;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.nativelib.OpenMp;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.Weights;

/**
 * Low-latency inference for a service: the model frozen for a batch size ({@link Executor#frozen}),
 * so each batch norm is folded into the convolution before it, each residual add and relu run inside
 * that convolution, and the backend keeps the weights in its kernels' own layout instead of
 * converting them on every call. Predictions equal {@link Trainer#predictBatch}'s up to float
 * rounding.
 *
 * <p>It is a snapshot: it copies what it needs from the weights once, when made, and never reads
 * them again, so they may be closed afterwards (a service can drop its training state). Make a new
 * one after training further or loading other weights.
 *
 * <p>Safe to share between threads: calls take turns (each holds the Predictor while it runs), and
 * Predictors of one backend, or of several models on one backend, may run from different threads at
 * once, because every backend op holds the backend while it runs ({@code ConcurrentInferenceTest}).
 * Neither adds throughput on its own: the backend runs one op at a time, each with all its threads;
 * for requests per second, a {@link PredictorPool} gives each worker a backend and a share of the cores.
 *
 * <pre>{@code
 * try (Predictor p = new Predictor(model, weights, 1)) {
 *     float[] probs = p.predict(image, 1);   // 1 x classes
 * }
 * }</pre>
 */
public final class Predictor implements AutoCloseable {
    /**
     * A CPU prediction of fewer floating-point operations than this (LeNet-5 at batch 1: 1.4 million)
     * runs on one thread: its ops are microseconds each, less than it costs to wake a second thread and
     * join it again per op (LeNet-5, batch 1, 2-vCPU EPYC: p50 0.034 ms on one thread, 0.059 ms on two).
     * The calling thread's OpenMP limit is set for the call and restored after; other threads are not
     * affected.
     */
    public static final double SERIAL_BELOW_FLOPS = 4e6;

    private final boolean serial;
    private final Model model;
    private final Backend backend;
    private final Executor executor;
    private final int batch;
    private final int per;
    private final float[] staging;
    private final float[] logits;

    /**
     * Freezes {@code weights} for batches of up to {@code batch} images, in FP32.
     *
     * @param model the model
     * @param weights its weights; copied, so they may be closed or trained on afterwards
     * @param batch the most images one call takes
     */
    public Predictor(Model model, Weights weights, int batch) {
        this(model, weights, batch, Precision.FP32);
    }

    /**
     * Freezes {@code weights} for batches of up to {@code batch} images in {@code precision} (bf16:
     * image activations and the frozen convolutions' weights in BF16, batch norm folded in FP32
     * first; the logits and probabilities FP32). Throws an UnsupportedOperationException where the
     * backend cannot compute in it.
     *
     * @param model the model
     * @param weights its weights; copied, so they may be closed or trained on afterwards
     * @param batch the most images one call takes
     * @param precision the precision to compute in
     */
    public Predictor(Model model, Weights weights, int batch, Precision precision) {
        this(model, weights, batch, precision, null);
    }

    /**
     * Freezes {@code weights} for batches of up to {@code batch} images with every convolution and
     * dense layer in 8-bit integers ({@link Executor#frozen(Model, Weights, int, Int8Calibration)}:
     * batch norm folded in FP32 first, weights s8 per output channel, each layer's input quantized with
     * the range {@code calibration} measured; activations between them, logits and probabilities FP32).
     * Throws an UnsupportedOperationException where the backend has no int8 convolutions.
     *
     * @param model the model
     * @param weights its weights; copied, so they may be closed or trained on afterwards
     * @param batch the most images one call takes
     * @param calibration the input ranges, from {@link Int8Calibration#calibrate} on these weights
     */
    public Predictor(Model model, Weights weights, int batch, Int8Calibration calibration) {
        this(model, weights, batch, Precision.FP32, requireCalibration(calibration));
    }

    private static Int8Calibration requireCalibration(Int8Calibration c) {
        if (c == null) {
            throw new IllegalArgumentException("Predictor: the int8 calibration is null");
        }
        return c;
    }

    private Predictor(Model model, Weights weights, int batch, Precision precision, Int8Calibration int8) {
        if (weights.model() != model) {
            throw new IllegalArgumentException("Predictor: the weights belong to model " + weights.model().name()
                    + ", not " + model.name());
        }
        this.model = model;
        this.backend = weights.backend();
        this.batch = batch;
        this.serial = batch > 0 && flops(model, batch) < SERIAL_BELOW_FLOPS && backend.name().equals("cpu");
        int before = serial ? limitThreads() : 0;
        try {
            this.executor = int8 == null ? Executor.frozen(model, weights, batch, precision)
                    : Executor.frozen(model, weights, batch, int8);
        } finally {
            if (serial) {
                OpenMp.limitCallingThread(before);
            }
        }
        this.per = Math.toIntExact(executor.input().size() / batch);
        this.staging = new float[per * batch];
        this.logits = new float[batch * model.classes()];
    }

    /**
     * Class probabilities of the main output for {@code count} images (count x C x H x W, values as in
     * training), count x classes. Fewer images than the frozen batch are padded with zeros, which
     * changes only the time: inference treats every image on its own.
     *
     * @param images count images, NCHW, as the model's input has them
     * @param count from 1 to {@link #batch()}
     * @return count rows of class probabilities
     */
    public synchronized float[] predict(float[] images, int count) {
        if (!serial) {
            return predictLocked(images, count);
        }
        int before = limitThreads();
        try {
            return predictLocked(images, count);
        } finally {
            OpenMp.limitCallingThread(before);
        }
    }

    /** Limits the calling thread's OpenMP regions to one thread; returns the limit it had. */
    private static int limitThreads() {
        int before = OpenMp.callingThreadLimit();
        OpenMp.limitCallingThread(1);
        return before;
    }

    /** Multiply-adds times two of one call at this batch: the convolutions' and the dense layers'. */
    static double flops(Model model, int batch) {
        double f = 0;
        for (Node n : model.nodes()) {
            if (n.layer() instanceof Conv2D c) {
                f += c.op(batch).flops();
            } else if (n.layer() instanceof Dense d) {
                f += d.op(batch).flops();
            }
        }
        return f;
    }

    /**
     * Whether this predictor runs on one thread (see {@link #SERIAL_BELOW_FLOPS}).
     *
     * @return true when each call runs single-threaded
     */
    public boolean serial() {
        return serial;
    }

    private float[] predictLocked(float[] images, int count) {
        if (count <= 0 || count > batch) {
            throw new IllegalArgumentException("Predictor: expected 1 to " + batch + " images (the frozen batch). Received "
                    + count + "; make a Predictor for a larger batch, or split the images");
        }
        Images.check(images, per, count);
        if (count == batch && images.length == staging.length) {
            backend.upload(images, executor.input());
        } else {
            System.arraycopy(images, 0, staging, 0, per * count);
            Arrays.fill(staging, per * count, staging.length, 0f);
            backend.upload(staging, executor.input());
        }
        executor.forward(false, 0);
        backend.download(executor.logits(0), logits);
        return Images.softmax(logits, count, model.classes());
    }

    /**
     * The model frozen.
     *
     * @return the model
     */
    public Model model() {
        return model;
    }

    /**
     * The batch it was frozen for: the most images one call takes.
     *
     * @return the batch size
     */
    public int batch() {
        return batch;
    }

    /**
     * What runs fused, one chain of layer names per frozen convolution (conv1_conv+conv1_bn+conv1_relu).
     *
     * @return the chains, in execution order
     */
    public List<String> fusedChains() {
        return executor.fusedChains();
    }

    @Override
    public void close() {
        executor.close();
    }
}
