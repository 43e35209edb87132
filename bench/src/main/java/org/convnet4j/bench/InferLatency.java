package org.convnet4j.bench;

import java.util.concurrent.TimeUnit;

import org.convnet4j.train.Predictor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Batch-1 inference latency of a zoo model: one image in, class probabilities out (upload, forward
 * with moving statistics and no dropout, download, softmax). Sample mode, so JMH reports the
 * distribution: p0.50 and p0.99 are the median and tail latency.
 *
 * <p>{@code path=frozen} (the default) runs the {@link Predictor} a service would use: batch norms
 * folded into the convolutions, residual adds and relus fused, weights pre-laid-out, NHWC between
 * convolutions. {@code path=live} runs {@link org.convnet4j.train.Trainer#predictBatch} on the
 * training weights, the unfused graph.
 *
 * <pre>java -jar bench/target/benchmarks.jar InferLatency -p model=resnet50 -p path=frozen,live</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class InferLatency {
    /** A zoo name; the latency targets are for lenet5, alexnet8 and resnet50. */
    @Param({"lenet5"})
    public String model;

    @Param({"cpu"})
    public String backend;

    /** frozen: {@link Predictor}; live: Trainer.predictBatch. */
    @Param({"frozen"})
    public String path;

    private ZooFixture f;
    private Predictor predictor;

    @Setup(Level.Trial)
    public void setUp() {
        f = new ZooFixture(model, backend, 1);
        switch (path) {
            case "frozen" -> predictor = new Predictor(f.trainer.model(), f.trainer.weights(), 1);
            case "live" -> predictor = null;
            default -> throw new IllegalArgumentException("path: expected frozen or live. Received " + path);
        }
    }

    /** The probabilities are on the host when predict returns, so the device has finished. */
    @Benchmark
    public float[] predict() {
        return predictor != null ? predictor.predict(f.images, 1) : f.trainer.predictBatch(f.images, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (predictor != null) {
            predictor.close();
        }
        f.close();
    }
}
