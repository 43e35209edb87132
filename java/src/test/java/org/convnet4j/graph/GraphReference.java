package org.convnet4j.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.Add;
import org.convnet4j.graph.layers.AveragePooling2D;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Concatenate;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.GlobalAveragePooling2D;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.graph.layers.MaxPooling2D;
import org.convnet4j.graph.layers.ZeroPadding2D;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.Concat;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.ops.GlobalAvgPool;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.PoolMode;
import org.convnet4j.ops.Size2;
import org.convnet4j.ops.SoftmaxCrossEntropy;
import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.reference.BatchNormReference;
import org.convnet4j.reference.ConcatReference;
import org.convnet4j.reference.ConvReference;
import org.convnet4j.reference.DenseReference;
import org.convnet4j.reference.ElementwiseReference;
import org.convnet4j.reference.PoolReference;
import org.convnet4j.reference.SoftmaxCrossEntropyReference;
import org.convnet4j.reference.ZeroPadReference;
import org.convnet4j.tensor.Shape;

/**
 * A model built together with its float64 twin: each builder method applies the real layer and
 * records the same computation as a composition of the float64 reference primitives (which the
 * reference suite checks against finite differences). The twin is the oracle for whole-graph tests:
 * its loss for the executor's forward, central differences of that loss for the executor's gradients,
 * its inference forward for evaluateBatch and predictBatch.
 *
 * <p>Layers hide their configuration, so the builder takes it once and hands it to both sides. A
 * dropout with a nonzero rate draws its mask inside the backend; {@link #drawMasks} reads that mask
 * by running a probe model with the same dropout layer (name, seed, shape) at the same step on ones.
 */
public final class GraphReference {
    /** One node's float64 forward: inputs and the node's parameters (in ParamSpec order) to its output. */
    private interface Op {
        double[] forward(List<double[]> inputs, List<double[]> params, boolean training);
    }

    private record DropoutSpec(String name, float rate, long seed, Shape shape) {
    }

    private final int batch;
    private final Map<Node, Op> ops = new HashMap<>();
    private final Map<Node, DropoutSpec> dropouts = new HashMap<>();
    private final Map<Node, double[]> masks = new HashMap<>();

    /** A twin for one batch size: the reference ops carry the batch axis. */
    public GraphReference(int batch) {
        this.batch = batch;
    }

    public int batch() {
        return batch;
    }

    private Node record(Node n, Op op) {
        ops.put(n, op);
        return n;
    }

    private Shape nchw(Node x) {
        return x.batchShape(batch);
    }

    public Node input(int h, int w, int c) {
        return record(Input.image(h, w, c), (in, p, t) -> in.get(0));
    }

    public Node conv(Node x, int filters, int kernel, int stride, Padding padding, ActivationFn act) {
        Node y = new Conv2D(filters, kernel).stride(stride).padding(padding).activation(act).apply(x);
        Conv2dOp op = new Conv2dOp(nchw(x), filters, Size2.of(kernel), Size2.of(stride), padding, true);
        return record(y, (in, p, t) -> activate(act, ConvReference.forward(op, in.get(0), p.get(0), p.get(1))));
    }

    public Node maxPool(Node x, int window, int stride, Padding padding) {
        Node y = new MaxPooling2D(window).stride(stride).padding(padding).apply(x);
        Pool2d op = new Pool2d(nchw(x), PoolMode.MAX, Size2.of(window), Size2.of(stride), padding);
        return record(y, (in, p, t) -> PoolReference.forward(op, in.get(0)));
    }

    public Node averagePool(Node x, int window, int stride, Padding padding) {
        Node y = new AveragePooling2D(window).stride(stride).padding(padding).apply(x);
        Pool2d op = new Pool2d(nchw(x), PoolMode.AVERAGE, Size2.of(window), Size2.of(stride), padding);
        return record(y, (in, p, t) -> PoolReference.forward(op, in.get(0)));
    }

    public Node globalAveragePool(Node x) {
        Node y = new GlobalAveragePooling2D().apply(x);
        GlobalAvgPool op = new GlobalAvgPool(nchw(x));
        return record(y, (in, p, t) -> PoolReference.globalAvgForward(op, in.get(0)));
    }

    /** Keras' defaults (momentum 0.99, epsilon 0.001): batch statistics in training, moving ones otherwise. */
    public Node batchNorm(Node x) {
        Node y = new BatchNormalization().apply(x);
        BatchNorm op = new BatchNorm(nchw(x), BatchNorm.KERAS_EPSILON, BatchNorm.KERAS_MOMENTUM);
        return record(y, (in, p, t) -> t
                ? BatchNormReference.forwardTraining(op, in.get(0), p.get(0), p.get(1), p.get(2), p.get(3)).y()
                : BatchNormReference.forwardInference(op, in.get(0), p.get(0), p.get(1), p.get(2), p.get(3)));
    }

    public Node zeroPad(Node x, int pad) {
        Node y = new ZeroPadding2D(pad).apply(x);
        ZeroPad2d op = ZeroPad2d.of(nchw(x), pad);
        return record(y, (in, p, t) -> ZeroPadReference.forward(op, in.get(0)));
    }

    public Node add(Node a, Node b) {
        return record(new Add().apply(a, b), (in, p, t) -> ElementwiseReference.add(in.get(0), in.get(1)));
    }

    public Node concat(Node... xs) {
        List<Shape> shapes = new ArrayList<>();
        for (Node x : xs) {
            shapes.add(nchw(x));
        }
        Concat op = new Concat(shapes);
        return record(new Concatenate().apply(xs), (in, p, t) -> ConcatReference.forward(op, in));
    }

    /** C x H x W flattened in C, H, W order: the NCHW buffer is already that vector. */
    public Node flatten(Node x) {
        return record(new org.convnet4j.graph.layers.Flatten().apply(x), (in, p, t) -> in.get(0));
    }

    public Node relu(Node x) {
        return record(new Activation(ActivationFn.RELU).apply(x), (in, p, t) -> ElementwiseReference.relu(in.get(0)));
    }

    /** Activation(softmax), only as an output: its value is the logits it receives. */
    public Node softmax(Node x) {
        return record(new Activation(ActivationFn.SOFTMAX).apply(x), (in, p, t) -> in.get(0));
    }

    /** DenseOp; with softmax the node's value is the logits, as the model fuses softmax into the loss. */
    public Node dense(Node x, int units, ActivationFn act) {
        Node y = new org.convnet4j.graph.layers.Dense(units).activation(act).apply(x);
        DenseOp op = new DenseOp(nchw(x), units, true);
        return record(y, (in, p, t) -> activate(act, DenseReference.forward(op, in.get(0), p.get(0), p.get(1))));
    }

    /**
     * Dropout with an explicit name and seed. Rate 0 is the identity; a nonzero rate needs
     * {@link #drawMasks} for the step before a training forward.
     */
    public Node dropout(Node x, double rate, String name, long seed) {
        org.convnet4j.graph.layers.Dropout layer = new org.convnet4j.graph.layers.Dropout(rate).seed(seed);
        Node y = layer.<org.convnet4j.graph.layers.Dropout>name(name).apply(x);
        if (rate > 0) {
            dropouts.put(y, new DropoutSpec(name, (float) rate, seed, x.shape()));
        }
        return record(y, (in, p, t) -> {
            if (!t || rate == 0) {
                return in.get(0);
            }
            double[] mask = masks.get(y);
            if (mask == null) {
                throw new IllegalStateException("GraphReference: draw the masks of " + name + " before a training forward");
            }
            double[] out = in.get(0).clone();
            for (int i = 0; i < out.length; i++) {
                out[i] *= mask[i];
            }
            return out;
        });
    }

    private static double[] activate(ActivationFn act, double[] v) {
        return act == ActivationFn.RELU ? ElementwiseReference.relu(v) : v;
    }

    /**
     * Reads each nonzero-rate dropout's scaled mask (0 or 1 / (1 - rate)) of training step {@code step}
     * from the backend: a probe model Input -> [Flatten ->] Dropout(same name, seed) -> Activation(softmax),
     * whose "logits" are the dropout's output, fed with ones.
     */
    public void drawMasks(Backend backend, long step) {
        for (Map.Entry<Node, DropoutSpec> e : dropouts.entrySet()) {
            DropoutSpec d = e.getValue();
            Shape s = d.shape();
            // Feature vectors come from a 1 x 1 x F image through Flatten: the dropout sees N x F as in the model.
            Node in = s.rank() == 3 ? Input.image(s.intDim(1), s.intDim(2), s.intDim(0)) : Input.image(1, 1, s.intDim(0));
            Node before = s.rank() == 3 ? in : new org.convnet4j.graph.layers.Flatten().apply(in);
            Node dropped = new org.convnet4j.graph.layers.Dropout(d.rate()).seed(d.seed())
                    .<org.convnet4j.graph.layers.Dropout>name(d.name()).apply(before);
            Node out = new Activation(ActivationFn.SOFTMAX).apply(dropped);
            Model probe = Model.of("dropout_probe", in, out);
            try (Weights w = new Weights(probe, backend);
                 Executor ex = new Executor(probe, w, new org.convnet4j.tensor.Tensor[0], batch)) {
                float[] ones = new float[Math.toIntExact(ex.input().size())];
                java.util.Arrays.fill(ones, 1f);
                backend.upload(ones, ex.input());
                ex.forward(true, step);
                float[] y = new float[ones.length];
                backend.download(ex.logits(0), y);
                double[] mask = new double[y.length];
                float kept = 1f / (1f - d.rate());
                int zeros = 0;
                for (int i = 0; i < y.length; i++) {
                    if (y[i] != 0f && y[i] != kept) {
                        throw new IllegalStateException("GraphReference: the probe of " + d.name() + " wrote " + y[i]
                                + " at " + i + "; expected 0 or " + kept);
                    }
                    zeros += y[i] == 0f ? 1 : 0;
                    mask[i] = y[i];
                }
                if (zeros == 0 || zeros == y.length) {
                    throw new IllegalStateException("GraphReference: the probe of " + d.name() + " dropped " + zeros
                            + " of " + y.length + " elements; a mask this degenerate tests nothing");
                }
                masks.put(e.getKey(), mask);
            }
        }
    }

    /** Every node's float64 value for input x (N x C x H x W, flat) and parameters indexed like model.params(). */
    public Map<Node, double[]> forward(Model model, List<double[]> params, double[] x, boolean training) {
        Map<Node, List<double[]>> byNode = new HashMap<>();
        for (ParamRef r : model.params()) {
            byNode.computeIfAbsent(r.node(), k -> new ArrayList<>()).add(params.get(r.index()));
        }
        Map<Node, double[]> values = new HashMap<>();
        for (Node n : model.nodes()) {
            Op op = ops.get(n);
            if (op == null) {
                throw new IllegalStateException("GraphReference: node " + n + " was not built through this reference");
            }
            List<double[]> ins = new ArrayList<>();
            for (Node i : n.inputs()) {
                ins.add(values.get(i));
            }
            if (n == model.input()) {
                ins.add(x);
            }
            values.put(n, op.forward(ins, byNode.getOrDefault(n, List.of()), training));
        }
        return values;
    }

    /** The training loss: the loss-weighted sum over outputs of the batch-mean cross-entropy. */
    public double loss(Model model, List<double[]> params, double[] x, int[] labels, boolean training) {
        Map<Node, double[]> values = forward(model, params, x, training);
        double total = 0;
        for (int i = 0; i < model.outputs().size(); i++) {
            Node o = model.outputs().get(i);
            SoftmaxCrossEntropy op = new SoftmaxCrossEntropy(o.batchShape(batch), true);
            double[] onehot = SoftmaxCrossEntropyReference.oneHot(labels, op.classes());
            total += SoftmaxCrossEntropyReference.forward(op, values.get(o), onehot, model.lossWeight(i)).loss();
        }
        return total;
    }

    /** The main output's softmax probabilities, N x classes. */
    public double[] probabilities(Model model, List<double[]> params, double[] x, boolean training) {
        Node o = model.outputs().get(0);
        SoftmaxCrossEntropy op = new SoftmaxCrossEntropy(o.batchShape(batch), true);
        double[] logits = forward(model, params, x, training).get(o);
        return SoftmaxCrossEntropyReference.forward(op, logits, new double[logits.length], 1).probs();
    }

    /** Every parameter of the weights as float64, indexed like model.params(). */
    public static List<double[]> read(Weights weights) {
        List<double[]> out = new ArrayList<>();
        for (ParamRef r : weights.model().params()) {
            float[] f = weights.read(r);
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            out.add(d);
        }
        return out;
    }
}
