package org.convnet4j.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.convnet4j.tensor.Shape;

/**
 * Keras' model.summary() table: layer name and type, output shape in Keras' channels-last form
 * {@code (None, H, W, C)}, parameter count, and for models that branch a "Connected to" column;
 * closed by Keras' three count lines, {@code Total params: 107,786} and so on. A field too long for
 * its column wraps inside the column, as Keras prints it, so long layer names push nothing right.
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

    /**
     * One layer's row as Keras (TF 2.9 to 2.12) prints it: a field longer than its column is cut at the
     * column's width and goes on in the same column of the lines below, so no column is pushed right;
     * a list breaks after each of its items ({@code "',"}), as Keras breaks "Connected to".
     */
    private static void row(StringBuilder b, int[] cols, String[] fields) {
        String[] left = fields.clone();
        do {
            StringBuilder line = new StringBuilder(" ");
            for (int i = 0; i < left.length; i++) {
                boolean last = i == left.length - 1;
                int space = last ? 0 : 2;
                int cutoff = cols[i] - (i == 0 ? 0 : cols[i - 1]) - space;
                String fits = left[i].substring(0, Math.min(cutoff, left[i].length()));
                int itemEnd = firstItemEnd(fits);
                if (itemEnd > 0) {
                    fits = fits.substring(0, itemEnd);
                }
                line.append(fits).append(" ".repeat(space));
                left[i] = left[i].substring(fits.length());
                if (line.length() < cols[i]) {
                    line.append(" ".repeat(cols[i] - line.length()));
                }
            }
            b.append(line).append('\n');
        } while (!String.join("", left).isEmpty());
    }

    /** Where the first item of a printed list or tuple ends ("),", "],", "',"), or -1: Keras breaks lines there. */
    private static int firstItemEnd(String s) {
        int end = -1;
        for (String mark : new String[] {"),", "},", "],", "',"}) {
            int at = s.indexOf(mark);
            if (at >= 0 && (end < 0 || at + mark.length() < end)) {
                end = at + mark.length();
            }
        }
        return end;
    }
}
