package org.convnet4j.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.convnet4j.graph.layers.Add;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Concatenate;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.GlobalAveragePooling2D;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.graph.layers.MaxPooling2D;
import org.convnet4j.ops.Padding;
import org.junit.jupiter.api.Test;

/**
 * summary() and the parameter counts against what Keras reports for the same definitions. Keras'
 * numbers are worked out by hand in each test: a Conv2D has kh*kw*cin*filters + filters parameters, a
 * Dense in*units + units, a BatchNormalization 4 per channel of which 2 (moving mean and variance)
 * are not trainable, pooling, flatten, add and concatenate none.
 */
class SummaryTest {

    /**
     * LeNet-5 of docs/ZOO.md on 28 x 28 x 1, 10 classes, as Keras counts it:
     * <pre>
     *   conv2d      5*5*1*6 + 6     =    156   (None, 28, 28, 6)
     *   avg pool                         0     (None, 14, 14, 6)
     *   conv2d_1    5*5*6*16 + 16   =  2,416   (None, 14, 14, 16)
     *   avg pool                         0     (None, 7, 7, 16)
     *   flatten                          0     (None, 784)
     *   dense       784*120 + 120   = 94,200   (None, 120)
     *   dense_1     120*84 + 84     = 10,164   (None, 84)
     *   dense_2     84*10 + 10      =    850   (None, 10)
     *   total                        107,786
     * </pre>
     */
    @Test
    void lenet5CountsAndTableAreKeras() {
        Model m = TestModels.lenet5(10);
        assertEquals(107_786, m.totalParams());
        assertEquals(107_786, m.trainableParams());
        assertEquals(0, m.nonTrainableParams());

        String s = m.summary();
        List<String> lines = s.lines().toList();
        assertEquals("Model: \"lenet5\"", lines.get(0));
        int n = lines.size();
        assertEquals("Total params: 107,786", lines.get(n - 4));
        assertEquals("Trainable params: 107,786", lines.get(n - 3));
        assertEquals("Non-trainable params: 0", lines.get(n - 2));
        assertEquals("_".repeat(65), lines.get(n - 1));
        assertEquals("=".repeat(65), lines.get(n - 5));

        assertRow(s, "input (InputLayer)", "[(None, 28, 28, 1)]", "0");
        assertRow(s, "conv2d (Conv2D)", "(None, 28, 28, 6)", "156");
        assertRow(s, "average_pooling2d (AveragePooling2D)", "(None, 14, 14, 6)", "0");
        assertRow(s, "conv2d_1 (Conv2D)", "(None, 14, 14, 16)", "2416");
        assertRow(s, "average_pooling2d_1 (AveragePooling2D)", "(None, 7, 7, 16)", "0");
        assertRow(s, "flatten (Flatten)", "(None, 784)", "0");
        assertRow(s, "dense (Dense)", "(None, 120)", "94200");
        assertRow(s, "dense_1 (Dense)", "(None, 84)", "10164");
        assertRow(s, "dense_2 (Dense)", "(None, 10)", "850");
        assertFalse(s.contains("Connected to"), "a chain has no Connected to column");
    }

    /**
     * Input 32 x 32 x 3 -> Conv2D(8, 3x3) -> BatchNormalization -> MaxPooling2D(2) -> Conv2D(16, 3x3,
     * same, relu) -> BatchNormalization -> GlobalAveragePooling2D -> Dense(10, softmax):
     * <pre>
     *   conv2d                3*3*3*8 + 8    =   224   (None, 30, 30, 8)
     *   batch_normalization   4*8            =    32   (16 non-trainable)
     *   max_pooling2d                              0   (None, 15, 15, 8)
     *   conv2d_1              3*3*8*16 + 16  = 1,168   (None, 15, 15, 16)
     *   batch_normalization_1 4*16           =    64   (32 non-trainable)
     *   global_average_pooling2d                   0   (None, 16)
     *   dense                 16*10 + 10     =   170
     *   total 1,658 = trainable 1,610 + non-trainable 48
     * </pre>
     */
    @Test
    void batchNormalizationHasFourValuesPerChannelTwoNotTrainable() {
        Node in = Input.image(32, 32, 3);
        Node x = new Conv2D(8, 3).apply(in);
        x = new MaxPooling2D(2).apply(new BatchNormalization().apply(x));
        x = new Conv2D(16, 3).padding(Padding.SAME).activation(ActivationFn.RELU).apply(x);
        x = new GlobalAveragePooling2D().apply(new BatchNormalization().apply(x));
        Node out = new Dense(10).activation(ActivationFn.SOFTMAX).apply(x);
        Model m = Model.of("bn", in, out);

        assertEquals(1_658, m.totalParams());
        assertEquals(1_610, m.trainableParams());
        assertEquals(48, m.nonTrainableParams());
        String s = m.summary();
        assertTrue(s.contains("Total params: 1,658\n"), s);
        assertTrue(s.contains("Trainable params: 1,610\n"), s);
        assertTrue(s.contains("Non-trainable params: 48\n"), s);
        assertRow(s, "conv2d (Conv2D)", "(None, 30, 30, 8)", "224");
        assertRow(s, "batch_normalization (BatchNormalization)", "(None, 30, 30, 8)", "32");
        assertRow(s, "max_pooling2d (MaxPooling2D)", "(None, 15, 15, 8)", "0");
        assertRow(s, "conv2d_1 (Conv2D)", "(None, 15, 15, 16)", "1168");
        assertRow(s, "batch_normalization_1 (BatchNormalization)", "(None, 15, 15, 16)", "64");
        assertRow(s, "global_average_pooling2d (GlobalAveragePooling2D)", "(None, 16)", "0");
        assertRow(s, "dense (Dense)", "(None, 10)", "170");

        List<String> keys = m.params().stream().map(ParamRef::key).toList();
        assertEquals(List.of("conv2d/kernel", "conv2d/bias", "batch_normalization/gamma", "batch_normalization/beta",
                "batch_normalization/moving_mean", "batch_normalization/moving_variance", "conv2d_1/kernel",
                "conv2d_1/bias", "batch_normalization_1/gamma", "batch_normalization_1/beta",
                "batch_normalization_1/moving_mean", "batch_normalization_1/moving_variance", "dense/kernel",
                "dense/bias"), keys);
    }

    /**
     * An Inception-like join on 16 x 16 x 4: stem Conv2D(8, 3x3, same, relu) read by a 1x1 conv, a 3x3
     * conv and a 3x3 stride-1 same max pool; Add of the two convs, Concatenate with the pool:
     * <pre>
     *   conv2d    3*3*4*8 + 8 = 296     conv2d_1  1*1*8*8 + 8 = 72     conv2d_2  3*3*8*8 + 8 = 584
     *   add (None, 16, 16, 8)   concatenate (None, 16, 16, 16)   dense 16*5 + 5 = 85     total 1,037
     * </pre>
     */
    @Test
    void branchedModelShowsConnectedTo() {
        Node in = Input.image(16, 16, 4);
        Node stem = new Conv2D(8, 3).padding(Padding.SAME).activation(ActivationFn.RELU).apply(in);
        Node a = new Conv2D(8, 1).apply(stem);
        Node b = new Conv2D(8, 3).padding(Padding.SAME).apply(stem);
        Node sum = new Add().apply(a, b);
        Node pool = new MaxPooling2D(3).stride(1).padding(Padding.SAME).apply(stem);
        Node cat = new Concatenate().apply(sum, pool);
        Node out = new Dense(5).activation(ActivationFn.SOFTMAX).apply(new GlobalAveragePooling2D().apply(cat));
        Model m = Model.of("branched", in, out);

        assertEquals(1_037, m.totalParams());
        assertEquals(List.of(a, b, pool), m.consumers(stem));
        String s = m.summary();
        assertTrue(s.contains("Connected to"), s);
        assertTrue(s.contains("Total params: 1,037\n"), s);
        assertEquals("_".repeat(98), s.lines().toList().get(1));
        assertRow(s, "conv2d_1 (Conv2D)", "(None, 16, 16, 8)", "72", "conv2d[0][0]");
        assertRow(s, "conv2d_2 (Conv2D)", "(None, 16, 16, 8)", "584", "conv2d[0][0]");
        assertRow(s, "add (Add)", "(None, 16, 16, 8)", "0", "conv2d_1[0][0]", "conv2d_2[0][0]");
        assertRow(s, "max_pooling2d (MaxPooling2D)", "(None, 16, 16, 8)", "0", "conv2d[0][0]");
        assertRow(s, "concatenate (Concatenate)", "(None, 16, 16, 16)", "0", "add[0][0]", "max_pooling2d[0][0]");
        assertRow(s, "dense (Dense)", "(None, 5)", "85", "global_average_pooling2d[0][0]");
    }

    /** Keras prints 107,786 whatever the machine's locale; a German default locale must not make it 107.786. */
    @Test
    void closingLinesDoNotDependOnTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            String s = TestModels.lenet5(10).summary();
            assertTrue(s.contains("\nTotal params: 107,786\n"), "summary under a German default locale:\n" + s);
        } finally {
            Locale.setDefault(saved);
        }
    }

    /**
     * Keras wraps a field longer than its column inside that column, on the lines below, so the other
     * columns stay where they are: "average_pooling2d (AveragePooling2D)" is 36 characters in a
     * 27-character column (29 less the two blanks between columns), and "Connected to" breaks after
     * each input ("',"), as TF 2.9 to 2.12 print them.
     */
    @Test
    void longFieldsWrapInsideTheirColumn() {
        List<String> lines = TestModels.lenet5(10).summary().lines().toList();
        int at = lines.indexOf(padded(" average_pooling2d (AverageP  (None, 14, 14, 6)", 55) + padded("0", 10));
        assertTrue(at > 0, String.join("\n", lines));
        assertEquals(padded(" ooling2D)", 65), lines.get(at + 1));
        for (String line : lines.subList(1, lines.size() - 4)) {
            assertEquals(65, line.length(), "every line of the table is 65 characters: '" + line + "'");
        }

        Node in = Input.image(8, 8, 1);
        Node a = new Conv2D(2, 1).name("branch_one").apply(in);
        Node b = new Conv2D(2, 1).name("branch_two").apply(in);
        Node sum = new Add().apply(a, b);
        Model m = Model.of("wrap", in, new Dense(2).activation(ActivationFn.SOFTMAX).apply(new GlobalAveragePooling2D()
                .apply(sum)));
        List<String> table = m.summary().lines().toList();
        int add = -1;
        for (int i = 0; i < table.size(); i++) {
            if (table.get(i).startsWith(" add (Add)")) {
                add = i;
            }
        }
        assertTrue(add > 0, String.join("\n", table));
        assertEquals("['branch_one[0][0]',", table.get(add).substring(66).strip());
        assertEquals("'branch_two[0][0]']", table.get(add + 1).substring(66).strip());
        assertTrue(table.get(add + 1).substring(0, 66).isBlank(), table.get(add + 1));
        for (String line : table) {
            assertTrue(line.length() <= 98, "no line runs past the table: '" + line + "'");
        }
    }

    private static String padded(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    /**
     * The row of the layer {@code first} holds the later fields in this order. Rows are read back as
     * Keras wraps them: the lines between two blank lines are one layer, and each piece of text belongs
     * to the column it starts in.
     */
    private static void assertRow(String summary, String first, String... rest) {
        List<String> lines = summary.lines().toList();
        int[] starts = lines.get(1).length() == 98 ? new int[] {0, 32, 54, 66} : new int[] {0, 29, 55};
        List<List<String>> group = new ArrayList<>();
        for (String line : lines) {
            if (!line.isBlank() && !line.startsWith("_") && !line.startsWith("=")) {
                group.add(List.of(line));
                continue;
            }
            if (!group.isEmpty()) {
                String[] columns = columns(group, starts);
                if (columns[0].equals(first)) {
                    int at = 0;
                    String joined = String.join("  ", Arrays.copyOfRange(columns, 1, columns.length));
                    for (String field : rest) {
                        int next = joined.indexOf(field, at);
                        assertTrue(next >= at, "row " + first + ": expected " + Arrays.toString(rest) + " in order."
                                + " Received " + Arrays.toString(columns) + " in\n" + summary);
                        at = next + field.length();
                    }
                    return;
                }
            }
            group.clear();
        }
        throw new AssertionError("no row for " + first + " in\n" + summary);
    }

    /** The fields of one wrapped row: each run of text goes to the last column starting at or before it. */
    private static String[] columns(List<List<String>> group, int[] starts) {
        String[] out = new String[starts.length];
        Arrays.fill(out, "");
        java.util.regex.Pattern piece = java.util.regex.Pattern.compile("\\S+(?: \\S+)*");
        for (List<String> l : group) {
            java.util.regex.Matcher m = piece.matcher(l.get(0));
            while (m.find()) {
                int c = starts.length - 1;
                while (starts[c] > m.start()) {
                    c--;
                }
                out[c] += m.group();
            }
        }
        return out;
    }
}
