package org.convnet4j.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.Add;
import org.convnet4j.graph.layers.AveragePooling2D;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Concatenate;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Dropout;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.graph.layers.GlobalAveragePooling2D;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.graph.layers.MaxPooling2D;
import org.convnet4j.graph.layers.ZeroPadding2D;
import org.convnet4j.ops.Padding;
import org.convnet4j.tensor.Shape;
import org.junit.jupiter.api.Test;

/**
 * Building models: Keras' default names, shape inference and the errors it raises (naming the layer
 * and the shapes received), what Model accepts as outputs, which nodes and parameters it holds, and
 * the initial values Weights gives them.
 */
class ModelTest {

    @Test
    void defaultNamesAreKerasSnakeCaseWithCounters() {
        Node in = Input.image(12, 12, 3);
        Node c0 = new Conv2D(4, 3).apply(in);
        Node c1 = new Conv2D(4, 3).apply(c0);
        Node p = new MaxPooling2D(2).apply(c1);
        Node bn = new BatchNormalization().apply(p);
        Node z = new ZeroPadding2D(1).apply(bn);
        Node a = new AveragePooling2D(2).apply(z);
        Node r = new Activation(ActivationFn.RELU).apply(a);
        Node f = new Flatten().apply(r);
        Node d0 = new Dense(8).apply(f);
        Node d1 = new Dense(8).apply(new Dropout(0.5).apply(d0));
        Node g = new GlobalAveragePooling2D().apply(bn);
        Node cat = new Concatenate().apply(d1, new Dense(8).apply(g));
        Node sum = new Add().apply(cat, new Dense(16).apply(cat));

        assertEquals(List.of("conv2d", "conv2d_1", "max_pooling2d", "batch_normalization", "zero_padding2d",
                        "average_pooling2d", "activation", "flatten", "dense", "dropout", "dense_1",
                        "global_average_pooling2d", "dense_2", "concatenate", "dense_3", "add"),
                names(c0, c1, p, bn, z, a, r, f, d0, d1.inputs().get(0), d1, g, cat.inputs().get(1), cat,
                        sum.inputs().get(1), sum));
        assertEquals("InputLayer", in.layer().type());
    }

    @Test
    void explicitNamesAreKeptAndDefaultsStepAroundThem() {
        Node in = Input.image(8, 8, 1);
        Node a = new Conv2D(2, 3).name("conv2d_1").apply(in);
        Node b = new Conv2D(2, 3).apply(a);
        Node c = new Conv2D(2, 1).apply(b);
        assertEquals(List.of("conv2d_1", "conv2d", "conv2d_2"), names(a, b, c));
    }

    @Test
    void duplicateExplicitNamesAreRejected() {
        Node in = Input.image(8, 8, 1);
        Node a = new Conv2D(2, 3).name("stem").apply(in);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2D(2, 3).name("stem").apply(a));
        assertTrue(e.getMessage().contains("'stem'"), e.getMessage());
    }

    @Test
    void aLayerIsAppliedOnceAndNamedBeforeIt() {
        Node in = Input.image(8, 8, 1);
        Conv2D conv = new Conv2D(2, 3);
        conv.apply(in);
        assertThrows(IllegalStateException.class, () -> conv.apply(in));
        assertThrows(IllegalStateException.class, () -> conv.name("late"));
    }

    @Test
    void shapesAreInferredAsKerasDoes() {
        Node in = Input.image(11, 9, 3);
        assertEquals(Shape.of(3, 11, 9), in.shape());
        // same: ceil(11 / 2) x ceil(9 / 2); valid: floor((11 - 3) / 2) + 1 x floor((9 - 3) / 2) + 1
        assertEquals(Shape.of(5, 6, 5), new Conv2D(5, 3).stride(2).padding(Padding.SAME).apply(in).shape());
        assertEquals(Shape.of(5, 5, 4), new Conv2D(5, 3).stride(2).apply(in).shape());
        assertEquals(Shape.of(3, 5, 4), new MaxPooling2D(2).apply(in).shape());
        assertEquals(Shape.of(3, 6, 5), new MaxPooling2D(3).stride(2).padding(Padding.SAME).apply(in).shape());
        assertEquals(Shape.of(3, 15, 13), new ZeroPadding2D(2).apply(in).shape());
        assertEquals(Shape.of(3), new GlobalAveragePooling2D().apply(in).shape());
        assertEquals(Shape.of(297), new Flatten().apply(in).shape());
        Node x = new Conv2D(4, 1).apply(in);
        assertEquals(Shape.of(7, 11, 9), new Concatenate().apply(in, x).shape());
    }

    @Test
    void denseOnAnImageWithoutFlattenNamesTheLayerAndTheShape() {
        Node in = Input.image(28, 28, 1);
        Node conv = new Conv2D(6, 5).padding(Padding.SAME).apply(in);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dense(10).apply(conv));
        assertMentions(e, "dense", "Dense", conv.shape().toString());
    }

    @Test
    void addOfDifferentShapesNamesTheLayerAndBothShapes() {
        Node in = Input.image(8, 8, 2);
        Node a = new Conv2D(4, 1).apply(in);
        Node b = new Conv2D(6, 1).apply(in);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Add().apply(a, b));
        assertMentions(e, "add", "Add", a.shape().toString(), b.shape().toString());
    }

    @Test
    void convolutionKernelLargerThanAValidInputNamesTheLayerAndTheShapes() {
        Node in = Input.image(3, 3, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Conv2D(4, 5).apply(in));
        assertMentions(e, "conv2d", "Conv2D", "5x5", "2x3x3", "valid");
        // The same kernel with same padding fits.
        assertEquals(Shape.of(4, 3, 3), new Conv2D(4, 5).padding(Padding.SAME).apply(in).shape());
    }

    @Test
    void concatenateOfDifferentSpatialSizesIsRejected() {
        Node in = Input.image(8, 8, 2);
        Node a = new Conv2D(4, 1).apply(in);
        Node b = new Conv2D(4, 3).apply(in);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Concatenate().apply(a, b));
        assertMentions(e, "concatenate", "Concatenate");
    }

    @Test
    void softmaxOnANodeThatIsNotAnOutputIsRejected() {
        Node in = Input.image(4, 4, 1);
        Node hidden = new Dense(8).activation(ActivationFn.SOFTMAX).apply(new Flatten().apply(in));
        Node out = new Dense(3).activation(ActivationFn.SOFTMAX).apply(hidden);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.of("m", in, out));
        assertMentions(e, "dense", "softmax");
        assertFalse(e.getMessage().contains("dense_1"), e.getMessage());
    }

    @Test
    void anOutputWithoutSoftmaxIsRejected() {
        Node in = Input.image(4, 4, 1);
        Node out = new Dense(3).activation(ActivationFn.RELU).apply(new Flatten().apply(in));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.of("m", in, out));
        assertMentions(e, "dense", "softmax");
    }

    @Test
    void oneLossWeightPerOutput() {
        Node in = Input.image(4, 4, 1);
        Node f = new Flatten().apply(in);
        Node a = new Dense(3).activation(ActivationFn.SOFTMAX).apply(f);
        Node b = new Dense(3).activation(ActivationFn.SOFTMAX).apply(f);
        assertThrows(IllegalArgumentException.class, () -> Model.of("m", in, List.of(a, b), 1.0));
        Model m = Model.of("m", in, List.of(a, b), 1.0, 0.3);
        assertEquals(0.3, m.lossWeight(1));
        assertEquals(3, m.classes());
    }

    /** Only what leads to the outputs is part of the model: a dangling branch has no node and no parameter. */
    @Test
    void nodesAreTheOnesLeadingToTheOutputsInTopologicalOrder() {
        Node in = Input.image(6, 6, 1);
        Node c = new Conv2D(2, 3).apply(in);
        Node dangling = new Conv2D(7, 1).apply(c);
        Node f = new Flatten().apply(c);
        Node out = new Dense(2).activation(ActivationFn.SOFTMAX).apply(f);
        Model m = Model.of("m", in, out);
        assertEquals(List.of(in, c, f, out), m.nodes());
        assertFalse(m.nodes().contains(dangling));
        assertEquals(3 * 3 * 2 + 2 + 32 * 2 + 2, m.totalParams());
        assertEquals(List.of(f), m.consumers(c));
    }

    /**
     * Keras' initial values: glorot_uniform within sqrt(6 / (fan_in + fan_out)), with a conv kernel's
     * fans the receptive field times the channels; zero biases and betas; gamma and moving variance 1.
     * The same seed gives the same weights, another seed others.
     */
    @Test
    void initialValuesAreKerasAndFixedBySeed() {
        Node in = Input.image(8, 8, 3);
        Node bn = new BatchNormalization().apply(new Conv2D(6, 5).apply(in));
        Node out = new Dense(10).activation(ActivationFn.SOFTMAX).apply(new Flatten().apply(bn));
        Model m = Model.of("m", in, out);
        try (Backend backend = Backends.create("cpu");
             Weights w = new Weights(m, backend);
             Weights same = new Weights(m, backend);
             Weights other = new Weights(m, backend)) {
            w.initialize(42);
            same.initialize(42);
            other.initialize(43);
            List<ParamRef> p = m.params();
            // conv kernel 6 x 3 x 5 x 5: fan_in 3*25 = 75, fan_out 6*25 = 150
            assertUniform(w.read(p.get(0)), Math.sqrt(6.0 / (75 + 150)));
            assertConstant(w.read(p.get(1)), 0);
            assertConstant(w.read(p.get(2)), 1);
            assertConstant(w.read(p.get(3)), 0);
            assertConstant(w.read(p.get(4)), 0);
            assertConstant(w.read(p.get(5)), 1);
            // dense kernel (6*4*4) x 10
            assertUniform(w.read(p.get(6)), Math.sqrt(6.0 / (96 + 10)));
            assertConstant(w.read(p.get(7)), 0);
            for (ParamRef r : p) {
                assertArrayEquals(w.read(r), same.read(r), r.key());
            }
            assertFalse(java.util.Arrays.equals(w.read(p.get(0)), other.read(p.get(0))));
        }
    }

    /** Values within (-limit, limit) that reach near both ends: the limit is the one Keras uses, not a smaller one. */
    private static void assertUniform(float[] v, double limit) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float f : v) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        assertTrue(max < limit && min > -limit, "values outside +-" + limit + ": [" + min + ", " + max + "]");
        assertTrue(max > 0.9 * limit && min < -0.9 * limit, "values do not span +-" + limit + ": [" + min + ", " + max + "]");
    }

    private static void assertConstant(float[] v, float c) {
        for (float f : v) {
            assertEquals(c, f);
        }
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "expected the message to mention '" + p + "'. Received: " + e.getMessage());
        }
    }

    private static List<String> names(Node... nodes) {
        return java.util.Arrays.stream(nodes).map(n -> n.layer().name()).toList();
    }
}
