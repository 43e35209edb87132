package org.convnet4j.bench;

import java.util.concurrent.TimeUnit;

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
 * <pre>java -jar bench/target/benchmarks.jar InferLatency -p model=resnet50</pre>
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

    private ZooFixture f;

    @Setup(Level.Trial)
    public void setUp() {
        f = new ZooFixture(model, backend, 1);
    }

    /** The probabilities are on the host when predictBatch returns, so the device has finished. */
    @Benchmark
    public float[] predict() {
        return f.trainer.predictBatch(f.images, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        f.close();
    }
}
