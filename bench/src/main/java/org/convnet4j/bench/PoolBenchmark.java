package org.convnet4j.bench;

import java.util.concurrent.TimeUnit;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.ops.Pool2d;
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

/** Pooling forward and backward; {@link BenchMain} reports GB/s of input plus output. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PoolBenchmark {
    @Param({"alexnet8_pool1", "resnet50_stem_pool", "inception_3a_pool", "lenet5_avg_pool"})
    public String shape;

    @Param({"cpu"})
    public String backend;

    private Backend b;
    private Pool2d op;
    private Tensor x, y, dy, dx;

    @Setup(Level.Trial)
    public void setUp() {
        b = Backends.create(backend);
        op = Shapes.pool(shape);
        x = Fixtures.random(b, op.input(), 1);
        y = b.allocate(op.outputShape());
        dy = Fixtures.random(b, op.outputShape(), 2);
        dx = b.allocate(op.input());
        b.pool2dForward(op, x, y);
    }

    @Benchmark
    public Tensor forward() {
        b.pool2dForward(op, x, y);
        b.synchronize();
        return y;
    }

    @Benchmark
    public Tensor backward() {
        b.pool2dBackward(op, x, y, dy, dx);
        b.synchronize();
        return dx;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, y, dy, dx}) {
            t.close();
        }
        b.close();
    }

    /** Forward reads x and writes y; backward reads dy and writes dx (max pooling also re-reads x). */
    static double bytes(String shape) {
        Pool2d op = Shapes.pool(shape);
        return (op.input().size() + op.outputShape().size()) * 4.0;
    }
}
