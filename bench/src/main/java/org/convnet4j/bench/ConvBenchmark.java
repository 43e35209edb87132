package org.convnet4j.bench;

import java.util.concurrent.TimeUnit;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
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

/** Convolution forward, backward-data and backward-filter; {@link BenchMain} turns ms/op into GFLOP/s. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConvBenchmark {
    /** One representative convolution per zoo model (see {@link Shapes}). */
    @Param({Shapes.LENET5_CONV2, Shapes.ALEXNET_CONV1, Shapes.ALEXNET8_CONV2, Shapes.VGG16_BLOCK3_CONV2,
            Shapes.VGG16_CIFAR_BLOCK2_CONV2, Shapes.GOOGLENET_3A_3X3, Shapes.RESNET50_CONV2_3X3,
            Shapes.RESNET50_CONV4_1X1, Shapes.INCEPTION_V3_MIXED4_1X7})
    public String shape;

    @Param({"cpu"})
    public String backend;

    /**
     * How the activations (x, y, dx) are stored: nchw (FP32 NCHW, reordered into oneDNN's blocked
     * layout and back on every call, as before activations persisted), nhwc (FP32 channels-last, what
     * a training plan keeps on the CPU: oneDNN's own kernel alone), bf16 (BF16 channels-last).
     */
    @Param({"nchw"})
    public String storage;

    private Backend b;
    private Conv2dOp op;
    private Tensor x, w, bias, y, dx, dw, dbias;

    @Setup(Level.Trial)
    public void setUp() {
        b = Backends.create(backend);
        op = Shapes.conv(shape);
        DType type = storage.equals("bf16") ? DType.BF16 : DType.FP32;
        Layout layout = switch (storage) {
            case "nchw" -> Layout.NCHW;
            case "nhwc", "bf16" -> Layout.NHWC;
            default -> throw new IllegalArgumentException("storage: expected nchw, nhwc or bf16. Received " + storage);
        };
        x = Fixtures.random(b, op.input(), 1, type, layout);
        w = Fixtures.random(b, op.weightShape(), 2);
        bias = op.bias() ? Fixtures.random(b, op.biasShape(), 3) : null;
        y = Fixtures.random(b, op.outputShape(), 4, type, layout);
        dx = b.allocate(op.input(), type, layout);
        dw = b.allocate(op.weightShape());
        dbias = op.bias() ? b.allocate(op.biasShape()) : null;
    }

    @Benchmark
    public Tensor forward() {
        b.conv2dForward(op, x, w, bias, y);
        b.synchronize();
        return y;
    }

    @Benchmark
    public Tensor backwardData() {
        b.conv2dBackwardData(op, y, w, dx);
        b.synchronize();
        return dx;
    }

    @Benchmark
    public Tensor backwardFilter() {
        b.conv2dBackwardFilter(op, x, y, dw, dbias);
        b.synchronize();
        return dw;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, w, bias, y, dx, dw, dbias}) {
            if (t != null) {
                t.close();
            }
        }
        b.close();
    }

    /** Floating-point operations of one call; each of the three passes does the same multiply-adds. */
    static double flops(String shape) {
        return Shapes.conv(shape).flops();
    }
}
