package org.convnet4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Weights;
import org.convnet4j.keras.KerasWeights;
import org.convnet4j.onnx.OnnxExport;
import org.convnet4j.zoo.ModelSpec;
import org.convnet4j.zoo.Zoo;

/**
 * {@code export MODEL --weights FILE --out FILE}: a zoo model with a checkpoint's weights as an ONNX file,
 * or, when FILE ends in .h5, as a Keras HDF5 weight file.
 */
final class ExportCommand {
    private ExportCommand() {
    }

    static void run(List<String> rest) {
        Args a = new Args(rest, Set.of("weights", "out", "input", "classes", "backend"), Set.of());
        a.maxPositionals(1);
        ModelSpec s = Zoo.get(a.positional(0, "MODEL"));
        Path out = a.path("out");
        if (out == null) {
            throw new UsageException("missing --out FILE (the ONNX file to write, e.g. model.onnx)");
        }
        Path weights = Commands.requireFile(a.path("weights"), "--weights FILE");
        Model m = Commands.build(s, a, 0, weights);
        String backendName = a.string("backend", "auto");
        System.err.println("convnet4j: " + Backends.explain(backendName));
        try (Backend b = Backends.create(backendName); Weights w = new Weights(m, b)) {
            Commands.loadWeights(weights, w, Set.of());
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (Commands.isKeras(out)) {
                KerasWeights.save(out, w, Set.of());
                System.out.println("wrote " + out + " (Keras HDF5 weights, keras.applications' layout: docs/KERAS.md)");
                return;
            }
            OnnxExport.write(m, w, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of " + out + ": " + e.getMessage(), e);
        }
        System.out.println("wrote " + out + " (ONNX opset " + OnnxExport.OPSET + ", input " + m.input().layer().name()
                + " N x " + m.input().shape() + ", " + m.outputs().size() + " output" + (m.outputs().size() > 1 ? "s" : "")
                + " of N x " + m.classes() + " probabilities)");
    }
}
