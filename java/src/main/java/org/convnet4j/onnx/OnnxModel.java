package org.convnet4j.onnx;

import java.util.Map;
import java.util.Set;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;

/**
 * A model read from an ONNX file ({@link OnnxImport}) and the file's parameter values, under the
 * checkpoint keys the model's parameters have: the names of the file's initializers. The model
 * trains, evaluates, predicts, freezes into a Predictor, saves checkpoints and exports again like any
 * other:
 *
 * <pre>{@code
 * OnnxModel onnx = OnnxImport.read(Path.of("model.onnx"));
 * try (Weights w = onnx.weights(backend); Predictor p = new Predictor(onnx.model(), w, 1)) {
 *     float[] probabilities = p.predict(image, 1);
 * }
 * }</pre>
 */
public final class OnnxModel {
    private final Model model;
    private final Map<String, float[]> values;

    /** {@code values} by checkpoint key; those of layers no output reads (a dead branch of the file) are dropped. */
    OnnxModel(Model model, Map<String, float[]> values) {
        this.model = model;
        Map<String, float[]> used = new java.util.HashMap<>();
        for (ParamRef p : model.params()) {
            float[] v = values.get(p.key());
            if (v == null || v.length != p.spec().shape().size()) {
                throw new IllegalStateException("ONNX import: parameter " + p.key() + " of shape " + p.spec().shape()
                        + " has " + (v == null ? "no values" : v.length + " values"));
            }
            used.put(p.key(), v);
        }
        this.values = Map.copyOf(used);
    }

    /**
     * The model: the file's graph as layers, named after the ONNX values they write.
     *
     * @return the model, built once
     */
    public Model model() {
        return model;
    }

    /**
     * The checkpoint keys of the model's parameters: the file's initializer names.
     *
     * @return the keys, unmodifiable
     */
    public Set<String> keys() {
        return values.keySet();
    }

    /**
     * The file's values of the parameter stored under checkpoint key {@code key} (a copy).
     *
     * @param key a checkpoint key from {@link #keys()}
     * @return a copy of its values, in the layout the parameter has in convnet4j
     */
    public float[] values(String key) {
        float[] v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("ONNX model " + model.name() + ": no parameter '" + key + "'. Known: "
                    + String.join(", ", new java.util.TreeSet<>(values.keySet())));
        }
        return v.clone();
    }

    /**
     * Writes the file's values into {@code weights}, which must be this model's.
     *
     * @param weights weights made for {@link #model()}
     */
    public void load(Weights weights) {
        if (weights.model() != model) {
            throw new IllegalArgumentException("ONNX model " + model.name() + ": the weights belong to model "
                    + weights.model().name());
        }
        for (ParamRef p : model.params()) {
            weights.write(p, values.get(p.key()));
        }
    }

    /**
     * New weights of this model on {@code backend}, holding the file's values.
     *
     * @param backend where the weights live
     * @return weights the caller owns and must close
     */
    public Weights weights(Backend backend) {
        Weights w = new Weights(model, backend);
        try {
            load(w);
            return w;
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }
}
