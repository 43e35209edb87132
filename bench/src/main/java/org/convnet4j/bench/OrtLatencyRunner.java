package org.convnet4j.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * {@link InferLatency}'s {@code path=ort}: an ONNX Runtime session over an ONNX model, all graph
 * optimizations, the given intra-op threads, sequential execution; each call copies the input into an
 * ORT tensor and returns the first output's first row, as a service would. In a class of its own so
 * that ONNX Runtime need be on the class path only when this path runs (the GPU machine's run has no
 * room for its jar).
 */
final class OrtLatencyRunner implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private final long[] shape;
    private final FloatBuffer input;

    OrtLatencyRunner(byte[] onnx, long[] shape, int values, int threads) {
        try {
            this.env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                o.setIntraOpNumThreads(threads);
                o.setInterOpNumThreads(1);
                o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                this.session = env.createSession(onnx, o);
            }
            this.inputName = session.getInputNames().iterator().next();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
        }
        this.shape = shape.clone();
        this.input = ByteBuffer.allocateDirect(values * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    float[] run(float[] images) {
        input.clear();
        input.put(images).flip();
        try (OnnxTensor x = OnnxTensor.createTensor(env, input, shape);
             OrtSession.Result r = session.run(Map.of(inputName, x))) {
            return ((float[][]) r.get(0).getValue())[0];
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
        }
    }
}
