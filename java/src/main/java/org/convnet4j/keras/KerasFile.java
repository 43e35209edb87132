package org.convnet4j.keras;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import java.lang.reflect.Array;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;

/**
 * Reads the legacy Keras HDF5 weight layout ({@code model.save_weights("w.h5")}, the files
 * keras.applications publishes) through jhdf, a pure-Java HDF5 reader: the root (or, in a whole-model
 * save, its {@code model_weights} group) lists the layers in the attribute {@code layer_names}; each
 * layer's group lists its weights in {@code weight_names} ({@code conv1_conv/kernel:0}), each a dataset
 * at that path inside the layer's group. Keras splits an attribute over 64 KB into {@code name0},
 * {@code name1}, ...; both forms are read.
 */
final class KerasFile {
    private KerasFile() {
    }

    /** Every layer the file lists, with its weights, in the file's order. */
    static List<KerasLayer> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new KerasWeightsException(file, "no such file");
        }
        try (HdfFile h5 = new HdfFile(file)) {
            Group root = h5;
            if (!root.getAttributes().containsKey("layer_names") && root.getChild("model_weights") instanceof Group g) {
                root = g; // a whole-model save: the weights sit one level down
            }
            List<String> names = strings(root, "layer_names");
            if (names == null) {
                throw new KerasWeightsException(file, "no 'layer_names' attribute at the root or in /model_weights:"
                        + " expected a Keras HDF5 weight file (model.save_weights(...) with the .h5 extension)");
            }
            List<KerasLayer> layers = new ArrayList<>();
            for (String name : names) {
                Node n = root.getChild(name);
                if (!(n instanceof Group g)) {
                    throw new KerasWeightsException(file, "layer_names lists '" + name + "' but the file has no group of that name");
                }
                List<String> weightNames = strings(g, "weight_names");
                List<KerasArray> weights = new ArrayList<>();
                for (String w : weightNames == null ? List.<String>of() : weightNames) {
                    weights.add(array(file, g, w));
                }
                layers.add(new KerasLayer(name, List.copyOf(weights)));
            }
            return List.copyOf(layers);
        } catch (KerasWeightsException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KerasWeightsException(file, "cannot be read as HDF5: " + e.getMessage(), e);
        }
    }

    private static KerasArray array(Path file, Group layer, String weightName) {
        Node n = layer.getByPath(weightName);
        if (!(n instanceof Dataset d)) {
            throw new KerasWeightsException(file, "layer " + layer.getName() + " lists weight '" + weightName
                    + "' but holds no dataset at that path");
        }
        Object flat = d.getDataFlat();
        float[] values;
        if (flat instanceof float[] f) {
            values = f;
        } else if (flat instanceof double[] v) {
            values = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                values[i] = (float) v[i];
            }
        } else {
            throw new KerasWeightsException(file, "weight " + layer.getName() + "/" + weightName
                    + ": expected float32 or float64 values. Received " + d.getJavaType());
        }
        return new KerasArray(shortName(weightName), d.getDimensions(), values);
    }

    /**
     * Writes {@code layers} in the same layout, as TF 2 Keras names weights ({@code layer/kernel:0}),
     * with {@code backend} and {@code keras_version} attributes. Only layers with weights are listed, as
     * Keras' loader reads only those (an empty {@code weight_names} is not writable through jhdf).
     */
    static void write(Path file, List<KerasLayer> layers) {
        List<String> names = new ArrayList<>();
        for (KerasLayer l : layers) {
            if (!l.weights().isEmpty()) {
                names.add(l.name());
            }
        }
        try (WritableHdfFile h5 = HdfFile.write(file)) {
            h5.putAttribute("layer_names", names.toArray(new String[0]));
            h5.putAttribute("backend", "tensorflow");
            h5.putAttribute("keras_version", "2.12.0");
            for (KerasLayer l : layers) {
                if (l.weights().isEmpty()) {
                    continue;
                }
                WritableGroup g = h5.putGroup(l.name());
                g.putAttribute("weight_names", l.weights().stream().map(w -> l.name() + "/" + w.name() + ":0")
                        .toArray(String[]::new));
                WritableGroup inner = g.putGroup(l.name());
                for (KerasArray w : l.weights()) {
                    inner.putDataset(w.name() + ":0", nest(w.values(), w.shape()));
                }
            }
        } catch (RuntimeException e) {
            throw new KerasWeightsException(file, "cannot be written: " + e.getMessage(), e);
        }
    }

    /** A float[]...[] of {@code shape} from C-order values: jhdf takes a dataset's shape from the array's nesting. */
    private static Object nest(float[] flat, int[] shape) {
        if (shape.length == 1) {
            return flat.clone();
        }
        Object out = Array.newInstance(float.class, shape);
        fill(out, flat, shape, 0, 0);
        return out;
    }

    private static int fill(Object a, float[] flat, int[] shape, int axis, int offset) {
        if (axis == shape.length - 1) {
            System.arraycopy(flat, offset, (float[]) a, 0, shape[axis]);
            return offset + shape[axis];
        }
        for (int i = 0; i < shape[axis]; i++) {
            offset = fill(Array.get(a, i), flat, shape, axis + 1, offset);
        }
        return offset;
    }

    /** {@code conv1_conv/kernel:0} (TF 2 Keras) and {@code kernel} (Keras 3's legacy h5) are both {@code kernel}. */
    static String shortName(String weightName) {
        String s = weightName.substring(weightName.lastIndexOf('/') + 1);
        int colon = s.indexOf(':');
        return colon >= 0 ? s.substring(0, colon) : s;
    }

    /** A string-list attribute, joined from its chunks {@code name0, name1, ...} when Keras split it; null when absent. */
    private static List<String> strings(Group g, String name) {
        Attribute whole = g.getAttribute(name);
        if (whole != null) {
            return strings(whole);
        }
        List<String> out = null;
        for (int i = 0; g.getAttribute(name + i) != null; i++) {
            out = out == null ? new ArrayList<>() : out;
            out.addAll(strings(g.getAttribute(name + i)));
        }
        return out;
    }

    private static List<String> strings(Attribute a) {
        if (a.isEmpty() || a.getSize() == 0) {
            return List.of(); // Keras writes an empty float64 array for a layer without weights
        }
        Object data = a.getData();
        if (data instanceof String[] s) {
            return List.of(s);
        }
        if (data instanceof String s) {
            return List.of(s);
        }
        throw new IllegalArgumentException("attribute " + a.getName() + ": expected strings. Received " + a.getJavaType());
    }
}
