package org.convnet4j.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.data.Dataset;
import org.convnet4j.data.Datasets;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.keras.KerasWeights;
import org.convnet4j.ops.Adam;
import org.convnet4j.train.Optimizer;
import org.convnet4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fine-tuning recipe of docs/KERAS.md on tf_flowers, small: a Keras-layout ResNet-50 weight file
 * without its head (include_top=False; made here from seeded weights, as ImageNet's cannot be
 * downloaded on these machines), loaded into keras.applications' form of our ResNet-50 with a new head
 * for 5 classes, the base frozen, a few Adam steps at 64x64. The base stays bit for bit what the file
 * held (batch-norm statistics included: frozen batch norms run in inference mode); only the head moves.
 * Skipped, with the reason, without shared/data/flowers.
 */
class FineTuneTest {
    private static final int SIDE = 64;
    private static final int BATCH = 16;
    private static final int STEPS = 3;

    static Path flowers() {
        String property = System.getProperty("convnet4j.shared");
        Path dir = property != null ? Path.of(property) : null;
        for (Path d = Path.of("").toAbsolutePath(); dir == null && d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("shared/data/flowers"))) {
                dir = d.resolve("shared");
            }
        }
        return dir == null ? Path.of("shared/data/flowers/flowers-160.zip") : dir.resolve("data/flowers/flowers-160.zip");
    }

    @Test
    void theFrozenBaseStaysBitIdenticalAndOnlyTheHeadMoves(@TempDir Path tmp) {
        Path zip = flowers();
        assumeTrue(Files.isRegularFile(zip), zip + " is absent; see shared/data/README.md");
        InputSize in = new InputSize(SIDE, SIDE, 3);
        Path base = tmp.resolve("resnet50_notop.h5");
        try (Backend be = Backends.create("cpu")) {
            // The "pretrained" file: a 1000-class Keras-form ResNet-50, saved without its head.
            Model source = ResNet50.SPEC.buildKeras(in, 1000, 0);
            try (Weights w = new Weights(source, be)) {
                w.initialize(42);
                KerasWeights.save(base, w, ModelSpec.head(source));
            }
            Model m = ResNet50.SPEC.buildKeras(in, 5, 0);
            for (Node n : m.nodes()) {
                if (n.layer() instanceof BatchNormalization bn) {
                    assertEquals(ResNet50.KERAS_EPSILON, bn.epsilon(), bn.name());
                }
            }
            Set<String> head = ModelSpec.head(m);
            assertEquals(Set.of("predictions"), head);
            for (Node n : m.nodes()) {
                n.layer().trainable(head.contains(n.layer().name()));
            }
            assertEquals(2048L * 5 + 5, m.trainableParams());
            Dataset data = Datasets.flowers(zip, SIDE, SIDE).slice(0, BATCH * STEPS);
            try (Weights w = new Weights(m, be);
                 Optimizer adam = Optimizer.adam(m, be, Adam.keras());
                 Trainer t = new Trainer(m, be, w, adam)) {
                w.initialize(7);
                assertEquals(53 + 53, w.loadKeras(base, head).size()); // 53 convolutions, 53 batch norms, no head
                Map<String, float[]> before = new HashMap<>();
                for (ParamRef p : m.params()) {
                    before.put(p.key(), w.read(p));
                }
                float[] images = new float[BATCH * data.imageSize()];
                int[] labels = new int[BATCH];
                for (int s = 0; s < STEPS; s++) {
                    for (int i = 0; i < BATCH; i++) {
                        data.copyScaled(s * BATCH + i, images, i * data.imageSize());
                        labels[i] = data.label(s * BATCH + i);
                    }
                    assertTrue(Double.isFinite(t.trainBatch(images, labels, BATCH).loss()));
                }
                for (ParamRef p : m.params()) {
                    if (head.contains(p.node().layer().name())) {
                        assertFalse(Arrays.equals(before.get(p.key()), w.read(p)), p.key() + " did not train");
                    } else {
                        assertArrayEquals(before.get(p.key()), w.read(p), p.key() + " moved while frozen");
                    }
                }
            }
        }
    }
}
