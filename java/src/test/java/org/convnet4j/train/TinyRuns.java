package org.convnet4j.train;

import java.util.List;
import java.util.SplittableRandom;

import org.convnet4j.data.Dataset;
import org.convnet4j.graph.ActivationFn;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Dropout;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.graph.layers.MaxPooling2D;
import org.convnet4j.ops.Padding;

/**
 * Small RGB data and a model with every kind of state a run carries (batch-norm statistics, dropout
 * masks, optimizer moments), for training-loop tests that run in a second: 4 classes of 8 x 8 images,
 * each class a bright band of rows in its own channel mix, plus noise.
 */
final class TinyRuns {
    static final int CLASSES = 4;
    static final int SIDE = 8;

    private TinyRuns() {
    }

    static Dataset data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] pixels = new byte[n * 3 * SIDE * SIDE];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int label = i % CLASSES;
            labels[i] = label;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        boolean band = y / 2 == label && c != label % 3;
                        pixels[((i * 3 + c) * SIDE + y) * SIDE + x] = (byte) ((band ? 180 : 0) + r.nextInt(60));
                    }
                }
            }
        }
        return new Dataset(pixels, labels, 3, SIDE, SIDE, List.of("top", "upper", "lower", "bottom"));
    }

    static Model model() {
        Node in = Input.image(SIDE, SIDE, 3);
        Node x = new Conv2D(6, 3).padding(Padding.SAME).activation(ActivationFn.RELU).apply(in);
        x = new BatchNormalization().apply(x);
        x = new MaxPooling2D(2).apply(x);
        x = new Dropout(0.2).apply(new Flatten().apply(x));
        return Model.of("tiny", in, new Dense(CLASSES).activation(ActivationFn.SOFTMAX).apply(x));
    }
}
