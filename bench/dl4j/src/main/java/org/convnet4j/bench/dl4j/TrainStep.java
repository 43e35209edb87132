package org.convnet4j.bench.dl4j;

import java.util.concurrent.TimeUnit;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full training step of a zoo model in DL4J: forward, loss, backward and Adam update on one
 * synthetic batch (fixed seed). img/s = batch / (time per step).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class TrainStep {
    @Param("lenet5")
    public String model;

    @Param("32")
    public int batch;

    private Net net;
    private INDArray x;
    private INDArray y;
    private int steps;

    @Setup(Level.Trial)
    public void setup() {
        Models.Spec s = Models.get(model);
        net = s.build();
        x = Data.images(s, batch);
        y = Data.oneHot(batch, s.classes());
        System.out.println();
        System.out.println("dl4j: " + model + " batch " + batch + ", " + net.numParams() + " parameters");
        System.out.print(BackendInfo.describe(net));
    }

    @Benchmark
    public void step() {
        net.fit(x, y);
        steps++;
    }

    /**
     * The loss, and the peak resident memory of this training JVM (JMH's forked one) in PeakMemory's
     * RESULT format, so bench-all takes DL4J's memory figure from its training run instead of
     * paying minutes for separate DL4J steps.
     */
    @TearDown(Level.Trial)
    public void report() throws java.io.IOException {
        System.out.println("dl4j: last loss " + net.score());
        System.out.printf(java.util.Locale.ROOT,
                "RESULT {\"impl\":\"dl4j\",\"model\":\"%s\",\"batch\":%d,\"steps\":%d,\"vmhwm_mib\":%.1f}%n",
                model, batch, steps, PeakMemory.vmHwmKib() / 1024.0);
    }
}
