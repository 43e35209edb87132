package org.convnet4j.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.convnet4j.tensor.Shape;

/**
 * Keras' model.summary() table: layer name and type, output shape in Keras' channels-last form
 * {@code (None, H, W, C)}, parameter count, and for models that branch a "Connected to" column;
 * closed by Keras' three count lines, {@code Total params: 107,786} and so on.
 */
final class Summary {
    private Summary() {
    }

    static String of(Model m) {
        boolean branched = false;
        for (Node n : m.nodes()) {
            if (n.inputs().size() > 1 || m.consumers(n).size() > 1) {
                branched = true;
            }
        }
        int[] cols = branched ? new int[] {32, 54, 66, 98} : new int[] {29, 55, 65};
        StringBuilder b = new StringBuilder();
        b.append("Model: \"").append(m.name()).append("\"\n");
        rule(b, cols, '_');
        row(b, cols, branched ? new String[] {"Layer (type)", "Output Shape", "Param #", "Connected to"}
                : new String[] {"Layer (type)", "Output Shape", "Param #"});
        rule(b, cols, '=');
        List<Node> nodes = m.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            long params = 0;
            for (ParamSpec s : n.layer().params(Model.inputShapes(n))) {
                params += s.shape().size();
            }
            String shape = kerasShape(n.shape());
            if (n == m.input()) {
                shape = "[" + shape + "]";
            }
            String name = n.layer().name() + " (" + n.layer().type() + ")";
            if (branched) {
                List<String> from = new ArrayList<>();
                for (Node in : n.inputs()) {
                    from.add("'" + in.layer().name() + "[0][0]'");
                }
                row(b, cols, new String[] {name, shape, Long.toString(params), "[" + String.join(", ", from) + "]"});
            } else {
                row(b, cols, new String[] {name, shape, Long.toString(params)});
            }
            if (i + 1 < nodes.size()) {
                b.append(" ".repeat(cols[cols.length - 1])).append('\n');
            }
        }
        rule(b, cols, '=');
        // Keras' spelling whatever the JVM's locale: comma thousands separators, \n line ends.
        b.append(String.format(Locale.ROOT, "Total params: %,d\n", m.totalParams()));
        b.append(String.format(Locale.ROOT, "Trainable params: %,d\n", m.trainableParams()));
        b.append(String.format(Locale.ROOT, "Non-trainable params: %,d\n", m.nonTrainableParams()));
        rule(b, cols, '_');
        return b.toString();
    }

    /** (None, H, W, C) for images, (None, F) for vectors: how Keras prints channels-last shapes. */
    static String kerasShape(Shape s) {
        if (s.rank() == 3) {
            return "(None, " + s.dim(1) + ", " + s.dim(2) + ", " + s.dim(0) + ")";
        }
        StringBuilder b = new StringBuilder("(None");
        for (long d : s.dims()) {
            b.append(", ").append(d);
        }
        return b.append(")").toString();
    }

    private static void rule(StringBuilder b, int[] cols, char c) {
        b.append(String.valueOf(c).repeat(cols[cols.length - 1])).append('\n');
    }

    private static void row(StringBuilder b, int[] cols, String[] fields) {
        StringBuilder line = new StringBuilder(" ");
        for (int i = 0; i < fields.length; i++) {
            line.append(fields[i]);
            int target = cols[i];
            if (i + 1 < fields.length) {
                if (line.length() >= target) {
                    line.append(' ');
                } else {
                    line.append(" ".repeat(target - line.length()));
                }
            }
        }
        if (line.length() < cols[cols.length - 1]) {
            line.append(" ".repeat(cols[cols.length - 1] - line.length()));
        }
        b.append(line).append('\n');
    }
}
