package org.convnet4j.keras;

import static org.convnet4j.graph.ActivationFn.RELU;
import static org.convnet4j.graph.ActivationFn.SOFTMAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import io.jhdf.HdfFile;
import org.convnet4j.backend.Backend;
import org.convnet4j.backend.BackendCases;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.train.Predictor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Loading small_cnn.h5 (scripts/keras_fixtures.py small: h5py writing Keras' legacy layout), whose
 * group "expected" holds images and the probabilities numpy computed from them channels-last as Keras
 * does: a convolution (HWIO kernel), a batch norm with keras.applications' epsilon 1.001e-5, a Flatten
 * (H, W, C order) into a Dense, a batch norm without gamma, the output Dense.
 */
class KerasWeightsTest {
    static final int BATCH = 4;
    /**
     * Float32 against numpy's float64 on logits of standard deviation 2 (the script scales them so):
     * rounding gives about 1e-6; our training spec's epsilon in place of Keras' moves them by 5e-3
     * (checked below), a wrong flatten order or kernel layout by far more.
     */
    static final double TOLERANCE = 1e-5;

    static Path fixture() {
        try {
            return Path.of(KerasWeightsTest.class.getResource("small_cnn.h5").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static float[] expected(String name) {
        try (HdfFile f = new HdfFile(fixture())) {
            return (float[]) f.getDatasetByPath("expected/" + name).getDataFlat();
        }
    }

    /** The fixture's model as Keras built it; {@code convFilters} and {@code epsilon} vary it. */
    static Model model(int convFilters, float epsilon, boolean withFcBn, int classes) {
        Node in = Input.image(5, 7, 3);
        Node x = new Conv2D(convFilters, 3).name("conv").apply(in);
        x = new BatchNormalization().epsilon(epsilon).name("bn").apply(x);
        x = new Activation(RELU).name("relu").apply(x);
        x = new Flatten().name("flatten").apply(x);
        x = new Dense(6).name("fc").apply(x);
        if (withFcBn) {
            x = new BatchNormalization().scale(false).name("fc_bn").apply(x);
        }
        x = new Activation(RELU).name("fc_relu").apply(x);
        return Model.of("small_cnn", in, new Dense(classes).activation(SOFTMAX).name("predictions").apply(x));
    }

    static float[] predict(Model m, Weights w) {
        try (Predictor p = new Predictor(m, w, BATCH)) {
            return p.predict(expected("images_nchw"), BATCH);
        }
    }

    static double maxDifference(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void computesWhatKerasComputes(String backendName) {
        Model m = model(4, 1.001e-5f, true, 3);
        try (Backend be = BackendCases.open(backendName); Weights w = new Weights(m, be)) {
            w.initialize(1);
            List<String> loaded = w.loadKeras(fixture());
            assertEquals(List.of("conv", "bn", "fc", "fc_bn", "predictions"), loaded);
            float[] want = expected("probabilities");
            float[] ours = predict(m, w);
            assertTrue(maxDifference(want, ours) < TOLERANCE, backendName + ": largest difference " + maxDifference(want, ours));
        }
    }

    /** Our training spec's epsilon (1e-3) with keras.applications' weights is visibly wrong: the epsilon must travel with the layer. */
    @Test
    void theBatchNormEpsilonMatters() {
        Model m = model(4, 1e-3f, true, 3);
        try (Backend be = BackendCases.open("cpu"); Weights w = new Weights(m, be)) {
            w.loadKeras(fixture());
            double d = maxDifference(expected("probabilities"), predict(m, w));
            assertTrue(d > 100 * TOLERANCE, "epsilon 1e-3 in place of 1.001e-5 changed probabilities by only " + d);
        }
    }

    @Test
    void convolutionKernelsComeFromHwio() {
        // kernel (kh=1, kw=2, in=3, out=2), values = their HWIO index; ours[o][i][0][x] = hwio[x][i][o]
        float[] hwio = new float[12];
        for (int i = 0; i < hwio.length; i++) {
            hwio[i] = i;
        }
        float[] oihw = KerasLayout.fromHwio(hwio, new int[] {2, 3, 1, 2});
        assertArrayEquals(new float[] {0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11}, oihw);
    }

    @Test
    void denseRowsAfterAFlattenGoFromHwcToChw() {
        // C=2, H=1, W=3, one unit: Keras' row (w, c) = w*2 + c; ours (c, w) = c*3 + w
        float[] keras = {0, 1, 2, 3, 4, 5};
        assertArrayEquals(new float[] {0, 2, 4, 1, 3, 5}, KerasLayout.permuteRows(keras, 2, 1, 3, 1));
    }

    @Test
    void everyMismatchIsListedAndNothingIsWritten() {
        Model m = model(5, 1.001e-5f, false, 3); // 5 filters: conv, bn and fc disagree; no fc_bn: the file's is extra
        try (Backend be = BackendCases.open("cpu"); Weights w = new Weights(m, be)) {
            w.initialize(3);
            float[] before = w.read(m.params().get(0));
            KerasWeightsException e = assertThrows(KerasWeightsException.class, () -> w.loadKeras(fixture()));
            String all = String.join("\n", e.problems());
            assertTrue(all.contains("layer conv, weight kernel: expected shape (3, 3, 3, 5)"), all);
            assertTrue(all.contains("layer conv, weight bias: expected shape (5)"), all);
            assertTrue(all.contains("layer bn, weight moving_variance: expected shape (5)"), all);
            assertTrue(all.contains("layer fc, weight kernel: expected shape (75, 6)"), all);
            assertTrue(all.contains("layer fc_bn of the file (3 weights) has no layer"), all);
            assertEquals(8, e.problems().size(), all); // conv 2, bn 4, fc kernel, fc_bn
            assertTrue(e.getMessage().contains("small_cnn.h5"), e.getMessage());
            assertArrayEquals(before, w.read(m.params().get(0)));
        }
    }

    @Test
    void aMissingLayerAndAMissingWeightAreNamed(@TempDir Path dir) throws Exception {
        Model m = model(4, 1.001e-5f, true, 3);
        Node in = Input.image(5, 7, 3);
        Node x = new Conv2D(4, 3).name("conv").apply(in);
        x = new BatchNormalization().epsilon(1.001e-5f).scale(false).name("bn").apply(x); // the file's bn has gamma
        x = new Conv2D(2, 1).name("extra_conv").apply(x);
        x = new Flatten().name("flatten").apply(x);
        Model other = Model.of("other", in, new Dense(3).activation(SOFTMAX).name("predictions").apply(x));
        try (Backend be = BackendCases.open("cpu"); Weights w = new Weights(other, be)) {
            KerasWeightsException e = assertThrows(KerasWeightsException.class,
                    () -> w.loadKeras(fixture(), Set.of("predictions")));
            String all = String.join("\n", e.problems());
            assertTrue(all.contains("layer bn: the file's weight 'gamma' (4) has no parameter"), all);
            assertTrue(all.contains("missing layer extra_conv (Conv2D with kernel (1, 1, 4, 2), bias (2))"), all);
            assertTrue(all.contains("layer fc of the file"), all);
            assertEquals(4, e.problems().size(), all); // gamma, extra_conv, fc, fc_bn
        }
        Path notKeras = dir.resolve("x.h5");
        Files.writeString(notKeras, "not hdf5");
        try (Backend be = BackendCases.open("cpu"); Weights w = new Weights(m, be)) {
            KerasWeightsException e = assertThrows(KerasWeightsException.class, () -> w.loadKeras(notKeras));
            assertTrue(e.getMessage().contains("x.h5"), e.getMessage());
        }
    }

    /** What save writes, load reads back bit for bit, through both layout conversions. */
    @Test
    void saveThenLoadGivesTheSameWeights(@TempDir Path dir) {
        Model m = model(4, 1.001e-5f, true, 3);
        Path file = dir.resolve("round_trip.h5");
        try (Backend be = BackendCases.open("cpu"); Weights w = new Weights(m, be); Weights back = new Weights(m, be)) {
            w.loadKeras(fixture());
            KerasWeights.save(file, w, Set.of());
            back.initialize(4);
            back.loadKeras(file);
            for (ParamRef p : m.params()) {
                assertArrayEquals(w.read(p), back.read(p), p.key());
            }
            // and the file holds Keras' layout: its conv kernel is the fixture's, value for value
            try (HdfFile ours = new HdfFile(file); HdfFile theirs = new HdfFile(fixture())) {
                for (String path : List.of("conv/conv/kernel:0", "fc/fc/kernel:0", "fc_bn/fc_bn/moving_mean:0")) {
                    assertArrayEquals((float[]) theirs.getDatasetByPath(path).getDataFlat(),
                            (float[]) ours.getDatasetByPath(path).getDataFlat(), path);
                    assertArrayEquals(theirs.getDatasetByPath(path).getDimensions(), ours.getDatasetByPath(path).getDimensions(), path);
                }
            }
        }
    }

    /** A new head for 5 classes keeps its own values; the file's 3-class head is not read. */
    @Test
    void skippedLayersKeepTheirValues() {
        Model m = model(4, 1.001e-5f, true, 5);
        try (Backend be = BackendCases.open("cpu"); Weights w = new Weights(m, be)) {
            w.initialize(9);
            ParamRef head = m.params().stream().filter(p -> p.key().equals("predictions/kernel")).findFirst().orElseThrow();
            float[] before = w.read(head);
            List<String> loaded = w.loadKeras(fixture(), Set.of("predictions"));
            assertEquals(List.of("conv", "bn", "fc", "fc_bn"), loaded);
            assertArrayEquals(before, w.read(head));
        }
    }
}
