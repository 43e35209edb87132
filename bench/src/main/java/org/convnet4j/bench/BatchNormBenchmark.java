package org.convnet4j.bench;

import java.util.concurrent.TimeUnit;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.tensor.Tensor;
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
 * Batch normalization training forward and backward. Memory-bound, so {@link BenchMain} reports GB/s
 * of the tensors each pass must touch at least once. The fusions with relu and add are in
 * {@link FusedBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BatchNormBenchmark {
    @Param({"alexnet8_bn1", "resnet50_conv2_bn"})
    public String shape;

    @Param({"cpu"})
    public String backend;

    private Backend b;
    private BatchNorm op;
    private BatchNormParams p;
    private Tensor x, y, dy, dx, saved, dgamma, dbeta;

    @Setup(Level.Trial)
    public void setUp() {
        b = Backends.create(backend);
        op = Shapes.batchNorm(shape);
        x = Fixtures.random(b, op.input(), 1);
        dy = Fixtures.random(b, op.input(), 2);
        y = b.allocate(op.input());
        dx = b.allocate(op.input());
        saved = b.allocate(op.savedShape());
        dgamma = b.allocate(op.paramShape());
        dbeta = b.allocate(op.paramShape());
        p = new BatchNormParams(Fixtures.random(b, op.paramShape(), 3), Fixtures.random(b, op.paramShape(), 4),
                b.allocate(op.paramShape()), b.allocate(op.paramShape()));
        b.fill(p.movingMean(), 0f);
        b.fill(p.movingVariance(), 1f);
        b.batchNormForwardTraining(op, x, p, y, saved);
    }

    @Benchmark
    public Tensor forwardTraining() {
        b.batchNormForwardTraining(op, x, p, y, saved);
        b.synchronize();
        return y;
    }

    @Benchmark
    public Tensor backward() {
        b.batchNormBackward(op, x, dy, p, saved, dx, dgamma, dbeta);
        b.synchronize();
        return dx;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, y, dy, dx, saved, dgamma, dbeta, p.gamma(), p.beta(), p.movingMean(), p.movingVariance()}) {
            t.close();
        }
        b.close();
    }

    /** Bytes a pass must move at least: forward reads x and writes y; backward reads x and dy, writes dx. */
    static double bytes(String method, String shape) {
        double tensor = Shapes.batchNorm(shape).input().size() * 4.0;
        return method.startsWith("backward") ? 3 * tensor : 2 * tensor;
    }
}
