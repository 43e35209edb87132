package org.convnet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.BackendCases;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Weights;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Opt-in: torchvision's AlexNet, VGG-16, GoogLeNet, ResNet-50 and Inception-v3 with random weights,
 * exported by PyTorch ({@code /usr/bin/python3 scripts/onnx_fixtures.py torchvision DIR}), imported
 * and run on the same random images as ONNX Runtime runs the file. Runs with
 * {@code -Dconvnet4j.onnx.torchvision=DIR}; skipped otherwise (the files are 0.1 to 0.5 GB each).
 * The files output logits, which the imported model ends in a softmax: the logits agree within
 * 1e-4 of their largest magnitude and the probabilities within 1e-5.
 */
class TorchvisionImportTest {
    static final String PROPERTY = "convnet4j.onnx.torchvision";
    static final int BATCH = 2;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"alexnet, 224", "vgg16, 224", "googlenet, 224", "resnet50, 224", "inception_v3, 299"})
    void importComputesWhatOnnxRuntimeComputes(String name, int side) throws IOException {
        String dir = System.getProperty(PROPERTY);
        Assumptions.assumeTrue(dir != null && !dir.isBlank(),
                "opt-in: -D" + PROPERTY + "=DIR with the files of scripts/onnx_fixtures.py torchvision DIR");
        byte[] file = Files.readAllBytes(Path.of(dir, name + ".onnx"));
        long t0 = System.nanoTime();
        OnnxModel onnx = OnnxImport.read(file);
        long t1 = System.nanoTime();
        Model m = onnx.model();
        float[] x = OnnxTestModels.images(BATCH, 3 * side * side, 12);
        float[] ortLogits = OrtRunner.run(file, "input", x, BATCH, 3, side, side).get("logits");
        try (Backend be = BackendCases.open("cpu"); Weights w = onnx.weights(be)) {
            float[] logits = OnnxTestModels.logits(m, w, x, BATCH).get(0);
            assertEquals(ortLogits.length, logits.length);
            double scale = 1;
            for (float v : ortLogits) {
                scale = Math.max(scale, Math.abs(v));
            }
            double logitDiff = OnnxTestModels.assertClose(name + " logits", ortLogits, logits, 1e-4 * scale);
            double probDiff = OnnxTestModels.assertClose(name + " probabilities", OnnxTestModels.softmax(ortLogits, BATCH),
                    OnnxTestModels.softmax(logits, BATCH), 1e-5);
            System.out.printf("%s: %d layers, %,d parameters, imported in %.1f s; largest |logit| %.3g, logit diff %.2e,"
                    + " probability diff %.2e%n", name, m.nodes().size(), m.totalParams(), (t1 - t0) / 1e9, scale,
                    logitDiff, probDiff);
        }
    }
}
