package org.convnet4j.bench;

import java.util.concurrent.TimeUnit;

import org.convnet4j.graph.Int8Calibration;
import org.convnet4j.graph.Precision;
import org.convnet4j.onnx.OnnxExport;
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
 * convolutions; {@code precision=bf16} freezes it in bf16, {@code precision=int8} with every
 * convolution in int8. {@code path=live} runs
 * {@link org.convnet4j.train.Trainer#predictBatch} on the training weights, the unfused graph.
 * {@code path=ort} is the peer: the same model and weights exported by {@link OnnxExport} and run by
 * ONNX Runtime Java (all graph optimizations, {@code threads} intra-op threads, sequential
 * execution), the input copied into an ORT tensor and the probabilities out, as a service would.
 *
 * <pre>java -jar bench/target/benchmarks.jar InferLatency -p model=resnet50 -p path=frozen,ort</pre>
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

    /** frozen: {@link Predictor}; live: Trainer.predictBatch; ort: ONNX Runtime on our export. */
    @Param({"frozen"})
    public String path;

    /** fp32, bf16 or int8 (calibrated on random images; the frozen path only). */
    @Param({"fp32"})
    public String precision;

    /** ONNX Runtime's intra-op threads (path=ort); ours follow -Dconvnet4j.threads. */
    @Param({"2"})
    public int threads;

    private ZooFixture f;
    private Predictor predictor;
    /** path=ort only (ONNX Runtime is then needed on the class path; see {@link OrtLatencyRunner}). */
    private OrtLatencyRunner ort;

    @Setup(Level.Trial)
    public void setUp() {
        f = new ZooFixture(model, backend, 1);
        boolean int8 = precision.equalsIgnoreCase("int8");
        Precision p = int8 ? Precision.FP32 : Precision.parse(precision);
        if ((int8 || p != Precision.FP32) && !path.equals("frozen")) {
            throw new IllegalArgumentException("precision " + precision + " is for path=frozen");
        }
        switch (path) {
            case "frozen" -> predictor = int8
                    ? new Predictor(f.trainer.model(), f.trainer.weights(), 1, calibration())
                    : new Predictor(f.trainer.model(), f.trainer.weights(), 1, p);
            case "live" -> predictor = null;
            case "ort" -> openOrt();
            default -> throw new IllegalArgumentException("path: expected frozen, live or ort. Received " + path);
        }
    }

    /**
     * int8's input ranges from 64 random images in [0, 1) (the fixture's weights are random too, so
     * there is no data to be faithful to; the ranges change the values, not the work).
     */
    private Int8Calibration calibration() {
        int per = f.images.length;
        float[] images = new float[64 * per];
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) r.nextDouble();
        }
        return Int8Calibration.calibrate(f.trainer.model(), f.trainer.weights(), images, 64);
    }

    private void openOrt() {
        byte[] onnx = OnnxExport.toBytes(f.trainer.model(), f.trainer.weights());
        ort = new OrtLatencyRunner(onnx, f.trainer.model().input().batchShape(1).dims(), f.images.length, threads);
    }

    /** The probabilities are on the host when predict returns, so the device has finished. */
    @Benchmark
    public float[] predict() {
        if (ort != null) {
            return ort.run(f.images);
        }
        return predictor != null ? predictor.predict(f.images, 1) : f.trainer.predictBatch(f.images, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (predictor != null) {
            predictor.close();
        }
        if (ort != null) {
            ort.close();
        }
        f.close();
    }
}
