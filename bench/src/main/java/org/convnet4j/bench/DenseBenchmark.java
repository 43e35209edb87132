package org.convnet4j.bench;

import java.util.concurrent.TimeUnit;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;
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
 * A training step's three dense passes (forward, backward data, backward weights with bias) on FP32
 * tensors, computed in FP32 or BF16 ({@link DenseOp#compute()}: x, W and dy rounded to bfloat16,
 * FP32 accumulation). At small batches the passes are bound by the FP32 weights' traffic, which the
 * BF16 path adds a conversion to; {@link BenchMain} reports GFLOP/s of the three products.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.convnet4j.bench.BenchMain DenseBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DenseBenchmark {
    /** in x units: AlexNet8's first hidden layer (2304 x 2048) and VGG-16's first (25088 x 4096 is too big; 4096 x 4096). */
    @Param({"2304x2048", "4096x4096"})
    public String shape;

    @Param({"32", "128", "512"})
    public int batch;

    /** FP32 or BF16 compute. */
    @Param({"FP32", "BF16"})
    public String compute;

    @Param({"cpu"})
    public String backend;

    private Backend b;
    private DenseOp op;
    private Tensor x, w, bias, y, dy, dx, dw, dbias;

    @Setup(Level.Trial)
    public void setUp() {
        b = Backends.create(backend);
        op = op(shape, batch).withCompute(DType.valueOf(compute));
        x = Fixtures.random(b, op.input(), 1);
        w = Fixtures.random(b, op.weightShape(), 2);
        bias = Fixtures.random(b, op.biasShape(), 3);
        y = b.allocate(op.outputShape());
        dy = Fixtures.random(b, op.outputShape(), 4);
        dx = b.allocate(op.input());
        dw = b.allocate(op.weightShape());
        dbias = b.allocate(op.biasShape());
    }

    static DenseOp op(String shape, int batch) {
        String[] d = shape.split("x");
        return new DenseOp(Shape.of(batch, Long.parseLong(d[0])), Integer.parseInt(d[1]), true);
    }

    /** Forward, backward data and backward weights, as one training step runs them. */
    @Benchmark
    public Tensor step() {
        b.denseForward(op, x, w, bias, y);
        b.denseBackwardData(op, dy, w, dx);
        b.denseBackwardWeights(op, x, dy, dw, dbias);
        b.synchronize();
        return dw;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, w, bias, y, dy, dx, dw, dbias}) {
            t.close();
        }
        b.close();
    }

    /** The three products' floating-point operations. */
    static double flops(String shape, int batch) {
        return 3 * op(shape, batch).flops();
    }
}
