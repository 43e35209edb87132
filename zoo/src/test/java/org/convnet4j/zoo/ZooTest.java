package org.convnet4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.Weights;
import org.convnet4j.ops.Adam;
import org.convnet4j.tensor.Shape;
import org.convnet4j.train.Optimizer;
import org.convnet4j.train.Trainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every zoo model: parameter counts equal to what Keras reports for the same definition, output
 * shapes, and a fixed-seed short training run on a small batch (at a reduced input size where the
 * architecture allows) in which the loss falls at least tenfold.
 */
class ZooTest {
    static Backend backend;

    @BeforeAll
    static void open() {
        backend = Backends.create("cpu");
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /**
     * Keras' counts: VGG16, ResNet50 and InceptionV3 (1,000 classes) are what keras.applications
     * reports; the others are Keras' per-layer formulas summed over docs/ZOO.md's definitions (conv:
     * kh*kw*cin*f + f; dense: in*out + out; batch norm: 4 per channel, 2 of them non-trainable; 3 and 1
     * with scale=False), e.g. AlexNet8: 2,688 + 384 + 221,440 + 1,024 + 885,120 + 1,327,488 + 884,992
     * + 4,720,640 + 4,196,352 + 20,490 = 12,260,618.
     */
    static Stream<Arguments> kerasCounts() {
        return Stream.of(
                Arguments.of("lenet5", 10, 107_786L, 0L),
                Arguments.of("alexnet", 1000, 62_379_752L, 704L),
                Arguments.of("alexnet8", 10, 12_260_618L, 704L),
                Arguments.of("vgg16", 1000, 138_357_544L, 0L),
                Arguments.of("vgg16-cifar", 10, 2_264_394L, 896L),
                Arguments.of("googlenet", 1000, 11_543_272L, 0L),
                Arguments.of("resnet50", 1000, 25_636_712L, 53_120L),
                Arguments.of("inception-v3", 1000, 23_851_784L, 34_432L));
    }

    /**
     * Noise plus a bright horizontal band whose row and strongest channel depend on the class. Pure
     * noise would not do: after a global average pool (GoogLeNet, ResNet, Inception) noise images
     * are nearly identical, and a network without batch norm cannot tell them apart.
     */
    static float[] bandedImages(InputSize in, int count, int classes) {
        SplittableRandom r = new SplittableRandom(11);
        int plane = in.height() * in.width();
        float[] images = new float[count * plane * in.channels()];
        for (int i = 0; i < count; i++) {
            int label = i % classes;
            for (int j = 0; j < plane * in.channels(); j++) {
                int channel = j / plane;
                int row = (j % plane) / in.width();
                boolean band = row * classes / in.height() == label;
                float strength = channel == label % in.channels() ? 0.5f : 0.25f;
                images[i * plane * in.channels() + j] = (float) (0.5 * r.nextDouble()) + (band ? strength : 0f);
            }
        }
        return images;
    }

    @ParameterizedTest(name = "{0} with {1} classes: {2} parameters")
    @MethodSource("kerasCounts")
    void parameterCountsMatchKeras(String name, int classes, long total, long nonTrainable) {
        ModelSpec s = Zoo.get(name);
        Model m = s.build(s.input(), classes, 0);
        assertEquals(total, m.totalParams(), name + " total");
        assertEquals(nonTrainable, m.nonTrainableParams(), name + " non-trainable");
        assertEquals(total - nonTrainable, m.trainableParams(), name + " trainable");
        String summary = m.summary();
        assertTrue(summary.contains(String.format(java.util.Locale.ROOT, "Total params: %,d\n", total)), summary);
    }

    @Test
    void everyRegisteredModelIsCovered() {
        List<String> counted = kerasCounts().map(a -> (String) a.get()[0]).toList();
        for (ModelSpec s : Zoo.all()) {
            assertTrue(counted.contains(s.name()), s.name() + " has no Keras parameter count in this test");
        }
    }

    @Test
    void outputShapesFollowThePapers() {
        assertEquals(Shape.of(256, 6, 6), node(Zoo.get("alexnet").build(), "pool5").shape());
        assertEquals(Shape.of(256, 3, 3), node(Zoo.get("alexnet8").build(), "pool5").shape());
        assertEquals(Shape.of(512, 7, 7), node(Zoo.get("vgg16").build(), "block5_pool").shape());
        assertEquals(Shape.of(256, 4, 4), node(Zoo.get("vgg16-cifar").build(), "block3_pool").shape());
        // docs/ZOO.md's stem is valid-padded, so the maps are 26, 12 and 5 wide where the paper's are 28, 14, 7.
        Model g = Zoo.get("googlenet").build();
        assertEquals(Shape.of(256, 26, 26), node(g, "inception_3a_output").shape());
        assertEquals(Shape.of(528, 12, 12), node(g, "inception_4d_output").shape());
        assertEquals(Shape.of(1024, 5, 5), node(g, "inception_5b_output").shape());
        assertEquals(Shape.of(128, 3, 3), node(g, "loss1_conv").shape());
        assertEquals(3, g.outputs().size());
        Model r = Zoo.get("resnet50").build();
        assertEquals(Shape.of(64, 56, 56), node(r, "pool1_pool").shape());
        assertEquals(Shape.of(256, 56, 56), node(r, "conv2_block3_out").shape());
        assertEquals(Shape.of(512, 28, 28), node(r, "conv3_block4_out").shape());
        assertEquals(Shape.of(1024, 14, 14), node(r, "conv4_block6_out").shape());
        assertEquals(Shape.of(2048, 7, 7), node(r, "conv5_block3_out").shape());
        Model i = Zoo.get("inception-v3").build();
        assertEquals(Shape.of(256, 35, 35), node(i, "mixed0").shape());
        assertEquals(Shape.of(768, 17, 17), node(i, "mixed3").shape());
        assertEquals(Shape.of(1280, 8, 8), node(i, "mixed8").shape());
        assertEquals(Shape.of(2048, 8, 8), node(i, "mixed10").shape());
    }

    private static Node node(Model m, String name) {
        return m.nodes().stream().filter(n -> name.equals(n.layer().name())).findFirst()
                .orElseThrow(() -> new AssertionError(m.name() + " has no layer " + name));
    }

    /**
     * Reduced inputs keep every stage's shape valid (GoogLeNet's aux pool needs 4a at 5x5 or more).
     * The deep models without batch norm (VGG-16, GoogLeNet) take Adam at 1e-4, the rate they are
     * usually trained from scratch with; at 1e-3 they settle on the label frequencies first.
     */
    static Stream<Arguments> shortRuns() {
        return Stream.of(
                Arguments.of("lenet5", new InputSize(28, 28, 1), 8, 1e-3f),
                Arguments.of("alexnet", new InputSize(67, 67, 3), 8, 1e-3f),
                Arguments.of("alexnet8", new InputSize(32, 32, 3), 8, 1e-3f),
                Arguments.of("vgg16", new InputSize(32, 32, 3), 4, 1e-4f),
                Arguments.of("vgg16-cifar", new InputSize(32, 32, 3), 8, 1e-3f),
                Arguments.of("googlenet", new InputSize(128, 128, 3), 4, 1e-4f),
                Arguments.of("resnet50", new InputSize(64, 64, 3), 4, 1e-3f),
                Arguments.of("inception-v3", new InputSize(75, 75, 3), 4, 1e-3f));
    }

    @ParameterizedTest(name = "{0} at {1}, batch {2}, lr {3}")
    @MethodSource("shortRuns")
    void lossFallsTenfoldOnASmallBatch(String name, InputSize input, int batch, float lr) {
        int classes = 5;
        Model m = Zoo.get(name).build(input, classes, 3);
        float[] images = bandedImages(input, batch, classes);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % classes;
        }
        try (Weights w = new Weights(m, backend); Optimizer o = Optimizer.adam(m, backend, Adam.withLearningRate(lr));
             Trainer t = new Trainer(m, backend, w, o)) {
            w.initialize(5);
            double first = t.trainBatch(images, labels, batch).loss();
            double last = first;
            for (int step = 0; step < 300 && last > first / 10; step++) {
                last = t.trainBatch(images, labels, batch).loss();
            }
            assertTrue(Double.isFinite(first) && first > 0, name + " first loss " + first);
            assertTrue(last < first / 10, name + ": loss went from " + first + " to " + last + " in 300 steps");
        }
    }

    /**
     * Regression goldens: the probabilities of two banded images (see {@link #bandedImages}) at the
     * reduced inputs of {@link #shortRuns}, with 5 classes and weights initialized from seed 0,
     * recorded from this implementation on 2026-11-29 (CPU backend). They catch any silent change of a
     * model's wiring or of a layer's numerics; agreement with Keras itself comes from the per-primitive
     * reference tests and the parameter counts above. Tolerance 1e-5: float32 rounding differs by far
     * less, a changed layer by far more.
     */
    static Stream<Arguments> goldens() {
        return Stream.of(
                Arguments.of("lenet5", new float[] {0.2232053f, 0.1931025f, 0.1967299f, 0.1999766f, 0.1869857f, 0.2269349f, 0.1854959f, 0.1909587f, 0.2078927f, 0.1887178f}),
                Arguments.of("alexnet", new float[] {0.1991286f, 0.2006522f, 0.2000358f, 0.1985641f, 0.2016193f, 0.1989632f, 0.2010800f, 0.1998110f, 0.1982662f, 0.2018796f}),
                Arguments.of("alexnet8", new float[] {0.1969638f, 0.2026988f, 0.1999014f, 0.1944940f, 0.2059420f, 0.1976171f, 0.2015084f, 0.2013139f, 0.1939748f, 0.2055858f}),
                Arguments.of("vgg16", new float[] {0.1999690f, 0.2000082f, 0.2000567f, 0.1999792f, 0.1999868f, 0.1999715f, 0.2000097f, 0.2000645f, 0.1999677f, 0.1999866f}),
                Arguments.of("vgg16-cifar", new float[] {0.2020962f, 0.2004430f, 0.1967074f, 0.2028604f, 0.1978930f, 0.2037352f, 0.1993110f, 0.1968602f, 0.2015456f, 0.1985480f}),
                Arguments.of("googlenet", new float[] {0.1994796f, 0.1999615f, 0.2018199f, 0.1992624f, 0.1994766f, 0.1994001f, 0.1998515f, 0.2021400f, 0.1991091f, 0.1994993f}),
                Arguments.of("resnet50", new float[] {0.2024857f, 0.1928935f, 0.2043165f, 0.2022384f, 0.1980658f, 0.2023366f, 0.1905700f, 0.2055127f, 0.2026873f, 0.1988935f}),
                Arguments.of("inception-v3", new float[] {0.2000800f, 0.1999664f, 0.2000872f, 0.1999398f, 0.1999265f, 0.2000870f, 0.1999649f, 0.2001053f, 0.1999290f, 0.1999139f}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void forwardMatchesItsGolden(String name, float[] expected) {
        InputSize input = shortRuns().filter(a -> a.get()[0].equals(name)).map(a -> (InputSize) a.get()[1])
                .findFirst().orElseThrow();
        Model m = Zoo.get(name).build(input, 5, 3);
        try (Weights w = new Weights(m, backend); Optimizer o = Optimizer.adam(m, backend, Adam.keras());
             Trainer t = new Trainer(m, backend, w, o)) {
            w.initialize(0);
            float[] p = t.predictBatch(bandedImages(input, 2, 5), 2);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], p[i], 1e-5, name + " probability " + i);
            }
        }
    }
}
