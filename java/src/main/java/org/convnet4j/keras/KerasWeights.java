package org.convnet4j.keras;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.convnet4j.graph.Node;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;

/**
 * Loads a Keras HDF5 weight file (the legacy {@code .h5} layout keras.applications publishes) into a
 * model's {@link Weights}, matching layers by name and weights by their names within the layer
 * ({@code kernel}, {@code bias}, {@code gamma}, {@code beta}, {@code moving_mean},
 * {@code moving_variance}), and converting layouts ({@link KerasLayout}).
 *
 * <pre>{@code
 * Model m = ResNet50.buildKeras(new InputSize(224, 224, 3), 5, 0);   // Keras' batch-norm epsilon
 * try (Weights w = new Weights(m, backend)) {
 *     w.initialize(seed);                                          // the new head keeps these
 *     KerasWeights.load(Path.of("resnet50_notop.h5"), w, Set.of("predictions"));
 * }
 * }</pre>
 *
 * The file holds values only: a layer's configuration (a batch norm's epsilon, a convolution's
 * padding) comes from the model, which must be built as the file's model was. Every mismatch (a
 * layer with parameters missing from the file, a weighted layer of the file missing from the model, a
 * weight missing or extra, a shape that differs, a value not finite) is listed in one
 * {@link KerasWeightsException}, and then nothing is written.
 */
public final class KerasWeights {
    private KerasWeights() {
    }

    /**
     * Loads every parameter of {@code weights}' model from {@code file}; see the class comment.
     *
     * @param file the {@code .h5} file
     * @param weights the weights written, on any backend
     * @return the names of the layers loaded, in graph order
     * @throws KerasWeightsException listing every problem; then nothing is written
     */
    public static List<String> load(Path file, Weights weights) {
        return load(file, weights, Set.of());
    }

    /**
     * As {@link #load(Path, Weights)}, leaving out the layers named in {@code skip} in both the model and
     * the file: a new head keeps its values, and a file with another head (or none, Keras'
     * {@code include_top=False}) loads into the base. Returns the names of the layers loaded.
     *
     * @param file the {@code .h5} file
     * @param weights the weights written
     * @param skip names of layers neither loaded nor required in the file
     * @return the names of the layers loaded, in graph order
     * @throws KerasWeightsException listing every problem; then nothing is written
     */
    public static List<String> load(Path file, Weights weights, Set<String> skip) {
        Map<String, KerasLayer> byName = new LinkedHashMap<>();
        for (KerasLayer l : KerasFile.read(file)) {
            byName.put(l.name(), l);
        }
        Map<Node, List<ParamRef>> byNode = new LinkedHashMap<>();
        for (ParamRef p : weights.model().params()) {
            byNode.computeIfAbsent(p.node(), k -> new ArrayList<>()).add(p);
        }
        List<String> problems = new ArrayList<>();
        Map<ParamRef, float[]> values = new HashMap<>();
        List<String> loaded = new ArrayList<>();
        for (Map.Entry<Node, List<ParamRef>> e : byNode.entrySet()) {
            String name = e.getKey().layer().name();
            if (skip.contains(name)) {
                continue;
            }
            KerasLayer layer = byName.get(name);
            if (layer == null) {
                problems.add("missing layer " + name + " (" + e.getKey().layer().type() + " with " + expected(e.getValue()) + ")");
                continue;
            }
            match(layer, e.getValue(), values, problems);
            loaded.add(name);
        }
        Set<String> ours = new java.util.HashSet<>();
        byNode.keySet().forEach(n -> ours.add(n.layer().name()));
        for (KerasLayer l : byName.values()) {
            if (!l.weights().isEmpty() && !ours.contains(l.name()) && !skip.contains(l.name())) {
                problems.add("layer " + l.name() + " of the file (" + l.weights().size()
                        + " weights) has no layer with parameters of that name in the model");
            }
        }
        if (!problems.isEmpty()) {
            throw new KerasWeightsException(file, problems.size() + " problem(s) loading into model "
                    + weights.model().name() + "; nothing was loaded", problems);
        }
        for (Map.Entry<ParamRef, float[]> v : values.entrySet()) {
            weights.write(v.getKey(), v.getValue());
        }
        return List.copyOf(loaded);
    }

    /**
     * Writes {@code weights} as a Keras HDF5 weight file in the layout {@link #load} reads (and Keras'
     * {@code model.load_weights} reads, for a Keras model of the same layers and names), leaving out the
     * layers named in {@code skip} (the head, for an {@code include_top=False} file). Layers without
     * parameters are not listed.
     *
     * @param file the file written
     * @param weights the weights read
     * @param skip names of layers left out
     * @throws KerasWeightsException if the file cannot be written
     */
    public static void save(Path file, Weights weights, Set<String> skip) {
        Map<Node, List<KerasArray>> layers = new LinkedHashMap<>();
        for (ParamRef p : weights.model().params()) {
            if (!skip.contains(p.node().layer().name())) {
                layers.computeIfAbsent(p.node(), k -> new ArrayList<>()).add(new KerasArray(p.spec().name(),
                        KerasLayout.kerasShape(p), KerasLayout.toKeras(p, weights.read(p))));
            }
        }
        List<KerasLayer> out = new ArrayList<>();
        layers.forEach((n, ws) -> out.add(new KerasLayer(n.layer().name(), List.copyOf(ws))));
        KerasFile.write(file, out);
    }

    /** Checks one layer's weights against our parameters; converts those that fit into {@code values}. */
    private static void match(KerasLayer layer, List<ParamRef> params, Map<ParamRef, float[]> values, List<String> problems) {
        for (ParamRef p : params) {
            KerasArray a = layer.weight(p.spec().name());
            int[] want = KerasLayout.kerasShape(p);
            if (a == null) {
                problems.add("layer " + layer.name() + ": no weight '" + p.spec().name() + "' " + text(want)
                        + " in the file; it has " + layer.weights().stream().map(KerasArray::name).toList());
            } else if (!Arrays.equals(a.shape(), want)) {
                problems.add("layer " + layer.name() + ", weight " + a.name() + ": expected shape " + text(want)
                        + " (Keras' layout of our " + p.spec().shape() + "). Received " + a.shapeText());
            } else if (!finite(a.values())) {
                problems.add("layer " + layer.name() + ", weight " + a.name() + ": holds a NaN or infinite value");
            } else {
                values.put(p, KerasLayout.toOurs(p, a.values()));
            }
        }
        for (KerasArray a : layer.weights()) {
            if (params.stream().noneMatch(p -> p.spec().name().equals(a.name()))) {
                problems.add("layer " + layer.name() + ": the file's weight '" + a.name() + "' " + a.shapeText()
                        + " has no parameter in the model (which has "
                        + params.stream().map(p -> p.spec().name()).toList() + ")");
            }
        }
    }

    private static String expected(List<ParamRef> params) {
        List<String> s = new ArrayList<>();
        for (ParamRef p : params) {
            s.add(p.spec().name() + " " + text(KerasLayout.kerasShape(p)));
        }
        return String.join(", ", s);
    }

    private static String text(int[] shape) {
        return new KerasArray("", shape, new float[0]).shapeText();
    }

    private static boolean finite(float[] v) {
        for (float f : v) {
            if (!Float.isFinite(f)) {
                return false;
            }
        }
        return true;
    }
}
