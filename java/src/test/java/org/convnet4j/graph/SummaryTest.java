package org.convnet4j.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** The row starting with {@code first} holds the later fields in this order, separated by blanks. */
    private static void assertRow(String summary, String first, String... rest) {
        String row = summary.lines().filter(l -> l.trim().startsWith(first + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + first + " in\n" + summary));
        int at = row.indexOf(first) + first.length();
        for (String field : rest) {
            int next = row.indexOf(field, at);
            assertTrue(next > at && row.substring(at, next).isBlank() || next > at && row.charAt(next - 1) == '\'',
                    "row " + first + ": expected " + Arrays.toString(rest) + " in order. Received\n" + row);
            at = next + field.length();
        }
    }
}
