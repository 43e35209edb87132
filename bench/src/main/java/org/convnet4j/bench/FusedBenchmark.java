package org.convnet4j.bench;

import java.util.concurrent.TimeUnit;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Conv2dOp;
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
 * The fused ops the zoo runs, named as the Backend methods: batch norm + relu and batch norm + add +
 * relu (ResNet's block tail), training forward and backward, and conv + bias + relu forward. Batch
 * norm fusions are memory-bound and report GB/s of the tensors the fused pass must touch at least
 * once (what an unfused pair would move more of); conv + bias + relu reports the convolution's
 * GFLOP/s. Each method takes only the state it needs, so JMH runs it over that state's shapes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FusedBenchmark {

    /** A batch norm with its parameters, input, upstream gradient and outputs, and a residual for the add. */
    static final class BatchNormTensors implements AutoCloseable {
        final Backend b;
        final BatchNorm op;
        final BatchNormParams p;
        final Tensor x, residual, y, dy, dx, dresidual, saved, dgamma, dbeta;

        BatchNormTensors(String backend, String shape) {
            b = Backends.create(backend);
            op = Shapes.batchNorm(shape);
            x = Fixtures.random(b, op.input(), 1);
            residual = Fixtures.random(b, op.input(), 5);
            dy = Fixtures.random(b, op.input(), 2);
            y = b.allocate(op.input());
            dx = b.allocate(op.input());
            dresidual = b.allocate(op.input());
            saved = b.allocate(op.savedShape());
            dgamma = b.allocate(op.paramShape());
            dbeta = b.allocate(op.paramShape());
            p = new BatchNormParams(Fixtures.random(b, op.paramShape(), 3), Fixtures.random(b, op.paramShape(), 4),
                    b.allocate(op.paramShape()), b.allocate(op.paramShape()));
            b.fill(p.movingMean(), 0f);
            b.fill(p.movingVariance(), 1f);
            // The backward passes read y (their relu mask) and the saved statistics of a forward.
            b.batchNormAddReluForwardTraining(op, x, residual, p, y, saved);
        }

        @Override
        public void close() {
            for (Tensor t : new Tensor[] {x, residual, y, dy, dx, dresidual, saved, dgamma, dbeta,
                    p.gamma(), p.beta(), p.movingMean(), p.movingVariance()}) {
                t.close();
            }
            b.close();
        }
    }

    /** Batch norm + relu follows convolutions in AlexNet8, VGG-16-CIFAR, ResNet-50 and Inception-v3. */
    @State(Scope.Benchmark)
    public static class BatchNormState {
        @Param({"alexnet8_bn1", "resnet50_conv2_bn"})
        public String shape;

        @Param({"cpu"})
        public String backend;

        BatchNormTensors t;

        @Setup(Level.Trial)
        public void setUp() {
            t = new BatchNormTensors(backend, shape);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            t.close();
        }
    }

    /** Batch norm + add + relu is ResNet-50's block tail only. */
    @State(Scope.Benchmark)
    public static class ResidualState {
        @Param({"resnet50_conv2_bn"})
        public String shape;

        @Param({"cpu"})
        public String backend;

        BatchNormTensors t;

        @Setup(Level.Trial)
        public void setUp() {
            t = new BatchNormTensors(backend, shape);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            t.close();
        }
    }

    /** A convolution with bias whose output goes through relu (AlexNet8's and GoogLeNet's convolutions). */
    @State(Scope.Benchmark)
    public static class ConvState {
        @Param({Shapes.ALEXNET8_CONV2, Shapes.GOOGLENET_3A_3X3})
        public String shape;

        @Param({"cpu"})
        public String backend;

        Backend b;
        Conv2dOp op;
        Tensor x, w, bias, y;

        @Setup(Level.Trial)
        public void setUp() {
            b = Backends.create(backend);
            op = Shapes.conv(shape);
            x = Fixtures.random(b, op.input(), 1);
            w = Fixtures.random(b, op.weightShape(), 2);
            bias = Fixtures.random(b, op.biasShape(), 3);
            y = b.allocate(op.outputShape());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (Tensor t : new Tensor[] {x, w, bias, y}) {
                t.close();
            }
            b.close();
        }
    }

    @Benchmark
    public Tensor batchNormReluForwardTraining(BatchNormState s) {
        BatchNormTensors t = s.t;
        t.b.batchNormReluForwardTraining(t.op, t.x, t.p, t.y, t.saved);
        t.b.synchronize();
        return t.y;
    }

    @Benchmark
    public Tensor batchNormReluBackward(BatchNormState s) {
        BatchNormTensors t = s.t;
        t.b.batchNormReluBackward(t.op, t.x, t.y, t.dy, t.p, t.saved, t.dx, t.dgamma, t.dbeta);
        t.b.synchronize();
        return t.dx;
    }

    @Benchmark
    public Tensor batchNormAddReluForwardTraining(ResidualState s) {
        BatchNormTensors t = s.t;
        t.b.batchNormAddReluForwardTraining(t.op, t.x, t.residual, t.p, t.y, t.saved);
        t.b.synchronize();
        return t.y;
    }

    @Benchmark
    public Tensor batchNormAddReluBackward(ResidualState s) {
        BatchNormTensors t = s.t;
        t.b.batchNormAddReluBackward(t.op, t.x, t.y, t.dy, t.p, t.saved, t.dx, t.dresidual, t.dgamma, t.dbeta);
        t.b.synchronize();
        return t.dx;
    }

    @Benchmark
    public Tensor conv2dBiasReluForward(ConvState s) {
        s.b.conv2dBiasReluForward(s.op, s.x, s.w, s.bias, s.y);
        s.b.synchronize();
        return s.y;
    }

    /**
     * Tensors of the batch norm's input size a fused pass must touch at least once: relu forward reads
     * x, writes y; relu backward reads x, y, dy, writes dx; add-relu forward also reads the residual;
     * add-relu backward also writes dresidual.
     */
    static double bytes(String method, String shape) {
        double tensor = Shapes.batchNorm(shape).input().size() * 4.0;
        return switch (method) {
            case "batchNormReluForwardTraining" -> 2 * tensor;
            case "batchNormAddReluForwardTraining" -> 3 * tensor;
            case "batchNormReluBackward" -> 4 * tensor;
            case "batchNormAddReluBackward" -> 5 * tensor;
            default -> throw new IllegalArgumentException("FusedBenchmark: no byte count for " + method);
        };
    }
}
