package org.convnet4j.onnx;

import static org.convnet4j.onnx.OnnxTestModels.C;
import static org.convnet4j.onnx.OnnxTestModels.H;
import static org.convnet4j.onnx.OnnxTestModels.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.BackendCases;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
import org.convnet4j.io.Checkpoint;
import org.convnet4j.ops.Adam;
import org.convnet4j.train.Checkpoints;
import org.convnet4j.train.Optimizer;
import org.convnet4j.train.Predictor;
import org.convnet4j.train.Trainer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Export, then import: the model read back computes what the original does, keeps its checkpoint
 * keys and loss weights, and is a model like any other: it trains, evaluates, predicts, freezes into a
 * Predictor, saves and loads checkpoints under the file's names, and exports again to a file ONNX
 * Runtime agrees with.
 */
class OnnxImportTest {
    static final int BATCH = 4;

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void exportThenImportComputesTheSame(String backendName) {
        Model m = OnnxTestModels.everyLayer();
        try (Backend be = BackendCases.open(backendName); Weights w = new Weights(m, be)) {
            OnnxTestModels.randomize(m, w, 5);
            float[] x = OnnxTestModels.images(BATCH, C * H * W, 6);
            OnnxTestModels.spread(m, w, x, BATCH);
            OnnxModel onnx = OnnxImport.read(OnnxExport.toBytes(m, w));
            Model back = onnx.model();
            assertEquals(List.of("predictions", "aux", "aux2"), back.outputs().stream().map(o -> o.layer().name()).toList());
            assertEquals(List.of(1.0, 0.3, 0.2), List.of(back.lossWeight(0), back.lossWeight(1), back.lossWeight(2)));
            Set<String> keys = keys(m);
            keys.add("bn_noscale/gamma");   // Keras' scale=False gamma, a constant of ones in the file, is a parameter now
            assertEquals(keys, keys(back));
            assertEquals(m.totalParams() + 8, back.totalParams());
            try (Weights wb = onnx.weights(be)) {
                List<float[]> expected = OnnxTestModels.predictAll(m, w, x, BATCH);
                List<float[]> actual = OnnxTestModels.predictAll(back, wb, x, BATCH);
                for (int i = 0; i < 3; i++) {
                    OnnxTestModels.assertClose(backendName + " output " + i, expected.get(i), actual.get(i), 1e-6);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void anImportedModelTrainsEvaluatesPredictsSavesAndExportsAgain(String backendName, @TempDir Path dir) {
        Model m = OnnxTestModels.everyLayer();
        byte[] file;
        try (Backend be = BackendCases.open(backendName); Weights w = new Weights(m, be)) {
            OnnxTestModels.randomize(m, w, 8);
            file = OnnxExport.toBytes(m, w);
        }
        OnnxModel onnx = OnnxImport.read(file);
        Model model = onnx.model();
        float[] x = OnnxTestModels.images(BATCH, C * H * W, 9);
        int[] labels = {0, 1, 2, 3};
        try (Backend be = BackendCases.open(backendName); Weights w = onnx.weights(be);
             Optimizer adam = Optimizer.adam(model, be, Adam.keras()); Trainer t = new Trainer(model, be, w, adam)) {
            double evaluated = t.evaluateBatch(x, labels, BATCH).loss();
            double first = 0;
            double last = 0;
            for (int step = 0; step < 30; step++) {
                last = t.trainBatch(x, labels, BATCH).loss();
                first = step == 0 ? last : first;
                assertTrue(Double.isFinite(last), "step " + step + ": loss " + last);
            }
            assertTrue(last < first / 3, "training on one batch lowers its loss: " + first + " -> " + last);
            assertTrue(t.evaluateBatch(x, labels, BATCH).loss() < evaluated, "and the evaluated loss");

            float[] predicted = t.predictBatch(x, BATCH);
            try (Predictor p = new Predictor(model, w, BATCH)) {
                OnnxTestModels.assertClose(backendName + " Predictor", predicted, p.predict(x, BATCH), 2e-5);
            }

            Path checkpoint = dir.resolve("checkpoint.safetensors");
            Checkpoints.save(checkpoint, t, 1, 0);
            try (Weights loaded = new Weights(model, be)) {
                Checkpoint c = Checkpoints.loadWeights(checkpoint, loaded);
                assertTrue(c.tensors().keySet().containsAll(Set.of("conv_same_s2/kernel", "bn_noscale/gamma")));
                OnnxTestModels.assertClose("reloaded", predicted, OnnxTestModels.predictAll(model, loaded, x, BATCH).get(0), 0);
            }

            byte[] again = OnnxExport.toBytes(model, w);
            Map<String, float[]> ort = OrtRunner.run(again, "input", x, BATCH, C, H, W);
            List<float[]> ours = OnnxTestModels.predictAll(model, w, x, BATCH);
            OnnxTestModels.assertClose(backendName + " re-exported, main", ours.get(0), ort.get("predictions"), 1e-5);
            OnnxTestModels.assertClose(backendName + " re-exported, aux", ours.get(1), ort.get("aux"), 1e-5);
            OnnxTestModels.assertClose(backendName + " re-exported, aux2", ours.get(2), ort.get("aux2"), 1e-5);
            assertEquals(keys(model), keys(OnnxImport.read(again).model()), "keys survive a second round trip");
        }
    }

    static Set<String> keys(Model m) {
        Set<String> k = new TreeSet<>();
        for (ParamRef p : m.params()) {
            k.add(p.key());
        }
        return k;
    }
}
