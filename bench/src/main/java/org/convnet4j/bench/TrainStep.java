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
import org.openjdk.jmh.infra.Blackhole;

/**
 * One full training step of a zoo model (forward, softmax cross-entropy, backward, Adam) on
 * synthetic data of the model's input shape: images per second = batch / (ms per op / 1000).
 * The DL4J and PyTorch peers measure the same step under the same name and parameters.
 *
 * <pre>java -jar bench/target/benchmarks.jar TrainStep -p model=resnet50 -p batch=32 -bm ss -wi 1 -i 3</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TrainStep {
    /** A zoo name: lenet5, alexnet, alexnet8, vgg16, vgg16-cifar, googlenet, resnet50, inception-v3. */
    @Param({"lenet5"})
    public String model;

    @Param({"32"})
    public int batch;

    @Param({"cpu"})
    public String backend;

    /** fp32 or bf16 (image activations and their gradients in bfloat16). */
    @Param({"fp32"})
    public String precision;

    /** auto (the backend's activation layout, as {@code train} runs) or nchw (the layout before layouts persisted). */
    @Param({"auto"})
    public String layout;

    private ZooFixture f;
    private int steps;

    @Setup(Level.Trial)
    public void setUp() {
        f = new ZooFixture(model, backend, batch, precision, layout);
    }

    @Benchmark
    public void step(Blackhole bh) {
        bh.consume(f.trainStep());
        steps++;
    }

    /**
     * Prints PeakMemory's RESULT line for this trial's JVM (JMH's fork: VmHWM after every step it ran,
     * and the pool's peak), so bench-all reads the memory figure off a training run it makes anyway.
     */
    @TearDown(Level.Trial)
    public void tearDown() {
        org.convnet4j.memory.PoolStats pool = f.backend.pool().stats();
        f.close();
        // JMH has printed "Iteration N: " without a line end when a trial's tear-down runs.
        System.out.println();
        System.out.printf(java.util.Locale.ROOT, "RESULT {\"impl\":\"convnet4j\",\"model\":\"%s\",\"batch\":%d,"
                        + "\"steps\":%d,\"backend\":\"%s\",\"precision\":\"%s\",\"layout\":\"%s\","
                        + "\"vmhwm_mib\":%.1f,\"pool_peak_mib\":%.1f}%n",
                model, batch, steps, backend, precision, layout, PeakMemory.vmHwmKib() / 1024.0,
                pool.peakInUseBytes() / 1048576.0);
    }
}
