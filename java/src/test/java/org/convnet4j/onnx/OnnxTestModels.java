package org.convnet4j.onnx;

import static org.convnet4j.graph.ActivationFn.RELU;
import static org.convnet4j.graph.ActivationFn.SOFTMAX;
import static org.convnet4j.ops.Padding.SAME;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.convnet4j.graph.ExecutionPlan;
import org.convnet4j.graph.Executor;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
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
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.Size2;
import org.convnet4j.tensor.Layout;

/** A model with every layer export converts, and how tests run it. */
final class OnnxTestModels {
    static final int H = 12;
    static final int W = 10;
    static final int C = 3;
    static final int CLASSES = 5;

    private OnnxTestModels() {
    }

    /**
     * Every layer type, with the settings whose conversion is easy to get wrong: TensorFlow 'same' pads
     * that are asymmetric (stride 2 over 12 x 10: nothing on top and left, one row and column at the
     * bottom and right), a 1x3 kernel, batch norm without gamma and over features, 'same' max and
     * average pooling (padded cells not counted), uneven zero padding, a residual add, a concatenation,
     * dropout, a dense layer without bias, and three outputs (a Dense softmax, a GlobalAveragePooling2D
     * head, an Activation softmax) with loss weights.
     */
    static Model everyLayer() {
        Node in = Input.image(H, W, C);
        Node x = new Conv2D(8, 3).stride(2).padding(SAME).name("conv_same_s2").apply(in);       // 8 x 6 x 5
        x = new BatchNormalization().name("bn").apply(x);
        x = new Activation(RELU).name("bn_relu").apply(x);
        Node a = new Conv2D(8, Size2.of(1, 3)).padding(SAME).useBias(false).name("conv_1x3").apply(x);
        a = new BatchNormalization().scale(false).name("bn_noscale").apply(a);
        Node b = new MaxPooling2D(3).stride(1).padding(SAME).name("max_same").apply(x);
        Node sum = new Add().name("residual").apply(a, b);
        Node padded = new ZeroPadding2D(new Pads(1, 0, 2, 1)).name("pad").apply(sum);              // 8 x 7 x 8
        Node avg = new AveragePooling2D(2).padding(SAME).name("avg_same").apply(padded);           // 8 x 4 x 4
        Node conv = new Conv2D(6, 3).activation(RELU).name("conv_valid_relu").apply(padded);       // 6 x 5 x 6
        Node down = new MaxPooling2D(2).name("max_valid").apply(conv);                             // 6 x 2 x 3
        Node up = new Conv2D(6, 1).padding(SAME).name("conv_1x1").apply(avg);                      // 6 x 4 x 4
        Node cat = new Concatenate().name("concat").apply(avg, up);                                // 14 x 4 x 4
        Node f = new Flatten().name("flatten").apply(cat);
        Node d = new Dense(16).activation(RELU).name("fc").apply(f);
        d = new BatchNormalization().name("fc_bn").apply(d);
        d = new Dropout(0.3).seed(7).name("drop").apply(d);
        Node main = new Dense(CLASSES).activation(SOFTMAX).name("predictions").apply(d);
        Node g = new GlobalAveragePooling2D().name("gap").apply(down);
        Node aux = new Dense(CLASSES).useBias(false).activation(SOFTMAX).name("aux").apply(g);
        Node logits = new Dense(CLASSES).name("aux2_logits").apply(new Flatten().name("flatten2").apply(down));
        Node aux2 = new Activation(SOFTMAX).name("aux2").apply(logits);
        return Model.of("every_layer", in, List.of(main, aux, aux2), 1.0, 0.3, 0.2);
    }

    /** Keras' initial weights, then random batch-norm parameters and statistics and small random biases. */
    static void randomize(Model m, Weights w, long seed) {
        w.initialize(seed);
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (ParamRef p : m.params()) {
            float[] v = w.read(p);
            String n = p.spec().name();
            for (int i = 0; i < v.length; i++) {
                switch (n) {
                    case "gamma" -> v[i] = (float) (0.5 + r.nextDouble());
                    case "beta", "moving_mean" -> v[i] = (float) (r.nextDouble() - 0.5);
                    case "moving_variance" -> v[i] = (float) (0.2 + r.nextDouble());
                    case "bias" -> v[i] = (float) (0.2 * (r.nextDouble() - 0.5));
                    default -> { }
                }
            }
            w.write(p, v);
        }
    }

    /**
     * Scales the kernel and bias of the layer before each output's softmax so that its logits have a
     * standard deviation of 2 on these images: glorot-initialized outputs give near-uniform
     * probabilities, which would hide logit errors from a comparison of probabilities.
     */
    static void spread(Model m, Weights w, float[] images, int count) {
        List<float[]> logits = logits(m, w, images, count);
        for (int i = 0; i < m.outputs().size(); i++) {
            double mean = 0;
            double sq = 0;
            for (float v : logits.get(i)) {
                mean += v;
                sq += (double) v * v;
            }
            mean /= logits.get(i).length;
            double std = Math.sqrt(Math.max(sq / logits.get(i).length - mean * mean, 1e-30));
            Node layer = m.outputs().get(i);
            while (!hasParams(m, layer)) {
                layer = layer.inputs().get(0);
            }
            for (ParamRef p : m.params()) {
                if (p.node() == layer) {
                    float[] v = w.read(p);
                    for (int j = 0; j < v.length; j++) {
                        v[j] *= (float) (2 / std);
                    }
                    w.write(p, v);
                }
            }
        }
    }

    private static boolean hasParams(Model m, Node n) {
        return m.params().stream().anyMatch(p -> p.node() == n);
    }

    static float[] images(int count, int per, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[count * per];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble();
        }
        return a;
    }

    /** The probabilities of every output, in the model's order, from an unfused inference pass. */
    static List<float[]> predictAll(Model m, Weights w, float[] images, int count) {
        List<float[]> out = new ArrayList<>();
        for (float[] l : logits(m, w, images, count)) {
            out.add(softmax(l, count));
        }
        return out;
    }

    /** The logits of every output (the inputs of their softmax). */
    static List<float[]> logits(Model m, Weights w, float[] images, int count) {
        List<float[]> out = new ArrayList<>();
        // The plan the Evaluator and Trainer use: FP32 in the backend's own activation layout.
        Layout layout = w.backend().activationLayout(Precision.FP32);
        try (Executor ex = new Executor(ExecutionPlan.inference(m, count, Precision.FP32, layout), w, null)) {
            w.backend().upload(images, ex.input());
            ex.forward(false, 0);
            for (int i = 0; i < m.outputs().size(); i++) {
                float[] logits = new float[Math.toIntExact(ex.logits(i).shape().size())];
                w.backend().download(ex.logits(i), logits);
                out.add(logits);
            }
        }
        return out;
    }

    /** Probabilities far from both uniform and one-hot, so that agreement at 1e-5 says something about the logits. */
    static void assertSpread(String name, float[] p, int classes) {
        float max = 0;
        for (float v : p) {
            max = Math.max(max, v);
        }
        if (!(max > 1.5 / classes && max < 0.999)) {
            throw new AssertionError(name + ": probabilities too flat or saturated to test the logits (max " + max + ")");
        }
    }

    static float[] softmax(float[] logits, int rows) {
        int k = logits.length / rows;
        float[] p = new float[logits.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, logits[r * k + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(logits[r * k + j] - max);
            }
            for (int j = 0; j < k; j++) {
                p[r * k + j] = (float) (Math.exp(logits[r * k + j] - max) / sum);
            }
        }
        return p;
    }

    /** Largest absolute difference; asserts it is within {@code tolerance}. */
    static double assertClose(String what, float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        if (!(worst <= tolerance)) {
            throw new AssertionError(what + ": largest difference " + worst + " at " + at + " (expected " + expected[at]
                    + ", received " + actual[at] + "), tolerance " + tolerance);
        }
        return worst;
    }
}
