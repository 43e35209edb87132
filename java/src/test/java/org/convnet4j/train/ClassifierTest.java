package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.imageio.ImageIO;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.data.ImageInput;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.TestModels;
import org.convnet4j.graph.Weights;
import org.convnet4j.io.Checkpoint;
import org.convnet4j.io.CheckpointException;
import org.convnet4j.io.NamedTensor;
import org.convnet4j.io.SafeTensors;
import org.convnet4j.ops.Adam;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class names travel with a checkpoint, and a classifier made from it names its top-k predictions. */
class ClassifierTest {
    private static final int CLASSES = 4;
    private static final List<String> NAMES = List.of("T-shirt/top", "Trouser", "Sandal", "Ankle boot");

    @TempDir
    static Path dir;
    private static Backend backend;
    private static Path named;
    private static Path unnamed;
    private static float[] x;

    @BeforeAll
    static void train() {
        backend = Backends.create("cpu");
        SyntheticImages data = SyntheticImages.make(32, CLASSES, 3);
        x = data.images(0, 8);
        named = dir.resolve("named.safetensors");
        unnamed = dir.resolve("unnamed.safetensors");
        Model m = TestModels.lenet5(CLASSES);
        try (Weights w = new Weights(m, backend); Optimizer adam = Optimizer.adam(m, backend, Adam.keras());
             Trainer t = new Trainer(m, backend, w, adam)) {
            w.initialize(2);
            t.trainBatch(data.images(0, 8), data.labels(0, 8), 8);
            Checkpoints.save(named, t, 1, 2, null, NAMES);
            Checkpoints.save(unnamed, t, 1, 2);
        }
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @Test
    void classNamesRoundTripThroughACheckpoint() {
        Model m = TestModels.lenet5(CLASSES);
        try (Weights w = new Weights(m, backend)) {
            assertEquals(Optional.of(NAMES), Checkpoints.classNames(Checkpoints.loadWeights(named, w)));
            assertEquals(Optional.empty(), Checkpoints.classNames(Checkpoints.loadWeights(unnamed, w)));
        }
    }

    @Test
    void topKIsInProbabilityOrderWithTheCheckpointsNames() {
        Model m = TestModels.lenet5(CLASSES);
        float[] probs;
        try (Weights w = new Weights(m, backend)) {
            Checkpoints.loadWeights(named, w);
            try (Predictor p = new Predictor(m, w, 8)) {
                probs = p.predict(x, 8);
            }
        }
        try (Classifier c = Classifier.load(m, backend, named, null, 3)) {
            assertEquals(NAMES, c.classNames());
            assertArrayEquals(new int[] {1, 28, 28}, c.inputShape());
            List<List<Prediction>> tops = c.top(x, 8, 3);
            assertEquals(8, tops.size());
            for (int i = 0; i < 8; i++) {
                List<Prediction> top = tops.get(i);
                assertEquals(3, top.size());
                for (int j = 0; j < 3; j++) {
                    Prediction pr = top.get(j);
                    assertEquals(NAMES.get(pr.index()), pr.name());
                    assertEquals(probs[i * CLASSES + pr.index()], pr.probability(), 1e-5f);
                    if (j > 0) {
                        assertTrue(top.get(j - 1).probability() >= pr.probability(), top.toString());
                    }
                }
                int best = 0;
                for (int k = 1; k < CLASSES; k++) {
                    best = probs[i * CLASSES + k] > probs[i * CLASSES + best] ? k : best;
                }
                assertEquals(best, top.get(0).index(), "image " + i);
            }
            float[] one = java.util.Arrays.copyOfRange(x, 784, 2 * 784);
            assertEquals(tops.get(1), c.top(one, 3));
            assertEquals(CLASSES, c.top(one, 99).size(), "k over the class count gives every class");
        }
    }

    @Test
    void aCheckpointWithoutNamesStillPredicts() throws Exception {
        Model m = TestModels.lenet5(CLASSES);
        BufferedImage img = new BufferedImage(30, 30, BufferedImage.TYPE_BYTE_GRAY);
        Path png = dir.resolve("digit.png");
        ImageIO.write(img, "png", png.toFile());
        try (Classifier c = Classifier.load(m, backend, unnamed)) {
            assertEquals(List.of("class 0", "class 1", "class 2", "class 3"), c.classNames());
            List<Prediction> top = c.top(png, 2);
            assertEquals(2, top.size());
            assertEquals(c.top(ImageInput.fromFile(png, 1, 28, 28), 2), top);
            assertTrue(top.get(0).name().startsWith("class "));
        }
        try (Classifier c = Classifier.load(m, backend, unnamed, NAMES, 1)) {
            assertEquals(NAMES, c.classNames(), "the fallback names");
        }
        try (Classifier c = Classifier.load(m, backend, named, List.of("w", "x", "y", "z"), 1)) {
            assertEquals(NAMES, c.classNames(), "the checkpoint's names win over the fallback");
        }
    }

    @Test
    void namesThatDoNotFitTheModelAreRefused() {
        Model m = TestModels.lenet5(CLASSES);
        assertThrows(IllegalArgumentException.class, () -> Classifier.load(m, backend, unnamed, List.of("a", "b"), 1));
        Model m2 = TestModels.lenet5(CLASSES);
        try (Weights w = new Weights(m2, backend); Optimizer adam = Optimizer.adam(m2, backend, Adam.keras());
             Trainer t = new Trainer(m2, backend, w, adam)) {
            assertThrows(IllegalArgumentException.class,
                    () -> Checkpoints.save(dir.resolve("x.safetensors"), t, 0, 0, null, List.of("a", "b", "c")));
            assertThrows(IllegalArgumentException.class,
                    () -> Checkpoints.save(dir.resolve("x.safetensors"), t, 0, 0, null, List.of("a", "b\nc", "d", "e")));
        }
        Checkpoint c = SafeTensors.read(named);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.put(Checkpoints.CLASS_NAMES, "a\n\nc\nd");
        Map<String, NamedTensor> tensors = new LinkedHashMap<>(c.tensors());
        Path bad = dir.resolve("blank-name.safetensors");
        SafeTensors.write(bad, tensors, meta);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.classNames(SafeTensors.read(bad)));
        assertTrue(e.getMessage().contains("class_names") && e.getMessage().contains("blank-name"), e.getMessage());
    }

    @Test
    void predictionTopKeepsLabelOrderOnTies() {
        List<Prediction> top = Prediction.top(new float[] {9, 0.25f, 0.5f, 0.25f}, 1, List.of("a", "b", "c"), 3);
        assertEquals(List.of(new Prediction(1, "b", 0.5f), new Prediction(0, "a", 0.25f), new Prediction(2, "c", 0.25f)),
                top);
        assertEquals("b 0.50", top.get(0).toString());
    }
}
