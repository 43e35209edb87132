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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of one inference-mode forward pass (output(false, ...)) of a single image; SampleTime
 * mode, so JMH reports percentiles (p0.50, p0.99). GoogLeNet computes its main output only.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class InferLatency {
    @Param("lenet5")
    public String model;

    private Net net;
    private INDArray x;

    @Setup(Level.Trial)
    public void setup() {
        Models.Spec s = Models.get(model);
        net = s.build();
        x = Data.images(s, 1);
        System.out.println();
        System.out.println("dl4j: " + model + " batch 1, " + net.numParams() + " parameters");
        System.out.print(BackendInfo.describe(net));
    }

    @Benchmark
    public INDArray infer() {
        return net.infer(x);
    }
}
