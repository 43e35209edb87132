package org.convnet4j.onnx;

import static org.convnet4j.onnx.OnnxTestModels.C;
import static org.convnet4j.onnx.OnnxTestModels.H;
import static org.convnet4j.onnx.OnnxTestModels.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.BackendCases;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
import org.convnet4j.onnx.proto.Onnx.AttributeProto;
import org.convnet4j.onnx.proto.Onnx.ModelProto;
import org.convnet4j.onnx.proto.Onnx.NodeProto;
import org.convnet4j.onnx.proto.Onnx.TensorProto;
import org.convnet4j.onnx.proto.Onnx.ValueInfoProto;
import org.convnet4j.train.Predictor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Export of a model with every layer type, run by ONNX Runtime: each output agrees with ours (the
 * unfused inference pass and the frozen Predictor) within 1e-5 on random inputs and random batch-norm
 * statistics; and the file says what docs/ONNX.md says it does (opset 17, a symbolic batch, explicit
 * asymmetric pads, initializers under the checkpoint keys).
 */
class OnnxExportTest {
    static final int BATCH = 3;
    static final double TOLERANCE = 1e-5;

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void onnxRuntimeComputesWhatWeCompute(String backendName) {
        Model m = OnnxTestModels.everyLayer();
        try (Backend be = BackendCases.open(backendName); Weights w = new Weights(m, be)) {
            OnnxTestModels.randomize(m, w, 3);
            float[] x = OnnxTestModels.images(BATCH, C * H * W, 11);
            OnnxTestModels.spread(m, w, x, BATCH);
            byte[] onnx = OnnxExport.toBytes(m, w);
            Map<String, float[]> ort = OrtRunner.run(onnx, "input", x, BATCH, C, H, W);
            assertEquals(List.of("predictions", "aux", "aux2"), new ArrayList<>(ort.keySet()));
            List<float[]> ours = OnnxTestModels.predictAll(m, w, x, BATCH);
            for (int i = 0; i < ours.size(); i++) {
                String name = m.outputs().get(i).layer().name();
                OnnxTestModels.assertClose(backendName + " " + name, ours.get(i), ort.get(name), TOLERANCE);
                OnnxTestModels.assertSpread(name, ort.get(name), OnnxTestModels.CLASSES);
            }
            try (Predictor p = new Predictor(m, w, BATCH)) {
                OnnxTestModels.assertClose(backendName + " Predictor", p.predict(x, BATCH), ort.get("predictions"), TOLERANCE);
            }
            // A batch size other than the one ours ran proves the batch is symbolic.
            float[] one = java.util.Arrays.copyOf(x, C * H * W);
            OnnxTestModels.assertClose("batch 1", OnnxTestModels.predictAll(m, w, one, 1).get(0),
                    OrtRunner.run(onnx, "input", one, 1, C, H, W).get("predictions"), TOLERANCE);
        }
    }

    @Test
    void theFileIsOpset17WithASymbolicBatchExplicitPadsAndCheckpointKeys() throws Exception {
        Model m = OnnxTestModels.everyLayer();
        try (Backend be = BackendCases.open("cpu"); Weights w = new Weights(m, be)) {
            OnnxTestModels.randomize(m, w, 3);
            ModelProto p = ModelProto.parseFrom(OnnxExport.toBytes(m, w));
            assertEquals(17, p.getOpsetImport(0).getVersion());
            assertEquals("", p.getOpsetImport(0).getDomain());
            assertEquals(8, p.getIrVersion());
            ValueInfoProto in = p.getGraph().getInput(0);
            assertEquals("input", in.getName());
            assertEquals("N", in.getType().getTensorType().getShape().getDim(0).getDimParam());
            assertEquals(List.of(3L, 12L, 10L), List.of(dim(in, 1), dim(in, 2), dim(in, 3)));
            assertEquals("N", p.getGraph().getOutput(0).getType().getTensorType().getShape().getDim(0).getDimParam());

            // 'same' with stride 2 over 12 x 10: [top, left, bottom, right] = [0, 0, 1, 1].
            assertEquals(List.of(0L, 0L, 1L, 1L), ints(node(p, "conv_same_s2/Conv"), "pads"));
            assertEquals(List.of(1L, 1L, 1L, 1L), ints(node(p, "max_same/MaxPool"), "pads"));
            assertEquals(List.of(0L, 0L, 1L, 0L), ints(node(p, "avg_same/AveragePool"), "pads"));
            assertEquals(0L, attribute(node(p, "avg_same/AveragePool"), "count_include_pad").getI());
            assertEquals(List.of("Gemm", "Softmax"), opTypesWriting(p, "predictions"));

            Set<String> keys = new TreeSet<>();
            for (ParamRef r : m.params()) {
                keys.add(r.key());
                TensorProto t = initializer(p, r.key());
                assertEquals(List.of(r.spec().shape().dims()).size(), 1);
                assertEquals(r.spec().shape().size(), Tensors.count(t), r.key());
                float[] written = Tensors.toFloats(t);
                OnnxTestModels.assertClose(r.key(), w.read(r), written, 0);
            }
            Set<String> extra = new TreeSet<>();
            for (TensorProto t : p.getGraph().getInitializerList()) {
                if (!keys.contains(t.getName())) {
                    extra.add(t.getName());
                }
            }
            assertEquals(Set.of("bn_noscale/gamma", "pad/pads", "drop/ratio"), extra,
                    "initializers besides the parameters: batch norm's constant gamma, the pads, the dropout rate");
        }
    }

    @Test
    void writeIsAtomicAndReadable(@TempDir Path dir) throws Exception {
        Model m = OnnxTestModels.everyLayer();
        try (Backend be = BackendCases.open("cpu"); Weights w = new Weights(m, be)) {
            OnnxTestModels.randomize(m, w, 4);
            Path f = dir.resolve("model.onnx");
            OnnxExport.write(m, w, f);
            assertEquals(List.of(f), Files.list(dir).toList(), "no temporary file is left");
            assertTrue(java.util.Arrays.equals(OnnxExport.toBytes(m, w), Files.readAllBytes(f)));
        }
    }

    private static long dim(ValueInfoProto v, int i) {
        return v.getType().getTensorType().getShape().getDim(i).getDimValue();
    }

    static NodeProto node(ModelProto p, String name) {
        for (NodeProto n : p.getGraph().getNodeList()) {
            if (n.getName().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name);
    }

    private static List<String> opTypesWriting(ModelProto p, String layer) {
        List<String> ops = new ArrayList<>();
        for (NodeProto n : p.getGraph().getNodeList()) {
            if (n.getName().startsWith(layer + "/")) {
                ops.add(n.getOpType());
            }
        }
        return ops;
    }

    static AttributeProto attribute(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        throw new AssertionError("node " + n.getName() + " has no attribute " + name);
    }

    private static List<Long> ints(NodeProto n, String name) {
        return attribute(n, name).getIntsList();
    }

    private static TensorProto initializer(ModelProto p, String name) {
        for (TensorProto t : p.getGraph().getInitializerList()) {
            if (t.getName().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no initializer " + name);
    }
}
