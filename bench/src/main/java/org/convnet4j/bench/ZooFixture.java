package org.convnet4j.bench;

import java.util.SplittableRandom;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Precision;
import org.convnet4j.tensor.Layout;
import org.convnet4j.graph.Weights;
import org.convnet4j.ops.Adam;
import org.convnet4j.train.Optimizer;
import org.convnet4j.train.Trainer;
import org.convnet4j.zoo.InputSize;
import org.convnet4j.zoo.ModelSpec;
import org.convnet4j.zoo.Zoo;

/**
 * A zoo model ready to train on one backend, as {@code convnet4j train} sets it up (the model's
 * default input and classes, Adam with the spec's learning rate, which is Keras' 0.001 for every zoo
 * model), with one batch of synthetic data: uniform [0, 1) pixels in the N x C x H x W float layout
 * {@link Trainer#trainBatch} takes, and uniform random labels. Shared by TrainStep, InferLatency and
 * PeakMemory so the three measure the same setup.
 */
final class ZooFixture implements AutoCloseable {
    static final long SEED = 42;

    final ModelSpec spec;
    final Backend backend;
    final Trainer trainer;
    final int batch;
    final float[] images;
    final int[] labels;
    private final Weights weights;
    private final Optimizer optimizer;

    ZooFixture(String model, String backendName, int batch) {
        this(model, backendName, batch, "fp32", "auto");
    }

    /**
     * @param precision fp32 or bf16 ({@link Precision#parse})
     * @param layout    auto (the backend's {@link Backend#activationLayout}, what {@code train} runs) or
     *                  nchw (activations NCHW, reordered by every convolution: the layout before they persisted)
     */
    ZooFixture(String model, String backendName, int batch, String precision, String layout) {
        this.spec = Zoo.get(model);
        this.batch = batch;
        Model m = spec.build(spec.input(), spec.classes(), SEED);
        this.backend = Backends.create(backendName);
        this.weights = new Weights(m, backend);
        weights.initialize(SEED);
        this.optimizer = Optimizer.adam(m, backend, Adam.withLearningRate((float) spec.learningRate()));
        Precision p = Precision.parse(precision);
        this.trainer = layout.equals("auto") ? new Trainer(m, backend, weights, optimizer, p)
                : new Trainer(m, backend, weights, optimizer, p, Layout.valueOf(layout.toUpperCase(java.util.Locale.ROOT)));
        this.images = images(batch, spec.input(), SEED);
        this.labels = labels(batch, spec.classes(), SEED + 1);
    }

    static float[] images(int count, InputSize in, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[Math.multiplyExact(count, in.height() * in.width() * in.channels())];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble();
        }
        return a;
    }

    static int[] labels(int count, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] l = new int[count];
        for (int i = 0; i < count; i++) {
            l[i] = r.nextInt(classes);
        }
        return l;
    }

    /** One training step (forward, loss, backward, Adam), finished on the device; returns the loss. */
    double trainStep() {
        double loss = trainer.trainBatch(images, labels, batch).loss();
        backend.synchronize();
        return loss;
    }

    @Override
    public void close() {
        trainer.close();
        optimizer.close();
        weights.close();
        backend.close();
    }
}
