package org.convnet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
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
import org.convnet4j.onnx.proto.Onnx.ModelProto;
import org.convnet4j.onnx.proto.Onnx.NodeProto;
import org.convnet4j.train.Predictor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Import of pytorch_every_op.onnx, which PyTorch 1.13 exported (scripts/onnx_fixtures.py every-op) from
 * a small network with every op import supports: it computes what ONNX Runtime computes from the same
 * file, within 1e-5, and its checkpoint keys are PyTorch's parameter names.
 */
class OnnxPyTorchFixtureTest {
    static final String FIXTURE = "pytorch_every_op.onnx";
    static final int BATCH = 3;

    static byte[] fixture() {
        try (InputStream in = OnnxPyTorchFixtureTest.class.getResourceAsStream(FIXTURE)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theFixtureHoldsEverySupportedOp() throws Exception {
        Set<String> ops = new TreeSet<>();
        for (NodeProto n : ModelProto.parseFrom(fixture()).getGraph().getNodeList()) {
            ops.add(n.getOpType());
        }
        assertTrue(ops.containsAll(OnnxImport.SUPPORTED), "missing from the fixture: "
                + OnnxImport.SUPPORTED.stream().filter(o -> !ops.contains(o)).toList());
    }

    @Test
    void checkpointKeysArePyTorchsParameterNames() {
        Model m = OnnxImport.read(fixture()).model();
        Set<String> keys = new TreeSet<>();
        for (ParamRef p : m.params()) {
            keys.add(p.key());
        }
        assertEquals(new TreeSet<>(List.of("conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean",
                "bn1.running_var", "conv2.weight", "conv3.weight", "conv3.bias", "conv4.weight", "conv4.bias",
                "conv5.weight", "conv5.bias", "fc.weight", "fc.bias", "bn_fc.weight", "bn_fc.bias", "bn_fc.running_mean",
                "bn_fc.running_var", "weight", "bias", "aux.weight", "aux.bias")), keys);
        assertEquals(List.of("probabilities", "aux_logits"), m.outputs().stream().map(o -> o.layer().name()).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void importComputesWhatOnnxRuntimeComputes(String backendName) {
        OnnxModel onnx = OnnxImport.read(fixture());
        Model m = onnx.model();
        float[] x = OnnxTestModels.images(BATCH, 3 * 32 * 32, 8);
        Map<String, float[]> ort = OrtRunner.run(fixture(), "input", x, BATCH, 3, 32, 32);
        // The file's second output is logits; the imported model ends it in a softmax.
        List<float[]> expected = new ArrayList<>(List.of(ort.get("probabilities"),
                OnnxTestModels.softmax(ort.get("aux_logits"), BATCH)));
        try (Backend be = BackendCases.open(backendName); Weights w = onnx.weights(be)) {
            List<float[]> ours = OnnxTestModels.predictAll(m, w, x, BATCH);
            for (int i = 0; i < 2; i++) {
                OnnxTestModels.assertClose(backendName + " output " + i, expected.get(i), ours.get(i), 1e-5);
                OnnxTestModels.assertSpread("output " + i, expected.get(i), 10);
            }
            try (Predictor p = new Predictor(m, w, BATCH)) {
                OnnxTestModels.assertClose(backendName + " Predictor", expected.get(0), p.predict(x, BATCH), 1e-5);
            }
        }
    }
}
