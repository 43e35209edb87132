package org.convnet4j.onnx;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** ONNX Runtime (CPU) as the reference an exported or imported model is compared with. */
final class OrtRunner {
    private OrtRunner() {
    }

    /** Every output of the model in {@code onnx} for one float input, by output name, in the file's order. */
    static Map<String, float[]> run(byte[] onnx, String input, float[] x, long... shape) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            try (OrtSession session = env.createSession(onnx, options);
                 OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                 OrtSession.Result r = session.run(Map.of(input, t))) {
                Map<String, float[]> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : r) {
                    FloatBuffer b = ((OnnxTensor) e.getValue()).getFloatBuffer();
                    float[] v = new float[b.remaining()];
                    b.get(v);
                    out.put(e.getKey(), v);
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
        }
    }
}
