package org.convnet4j.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.FrozenConv;
import org.convnet4j.backend.Int8Range;
import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.Add;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Tensor;

/**
 * What a frozen inference executor runs as one convolution: a {@code Conv2D}, the
 * {@code BatchNormalization} after it folded into its weights, a residual {@code Add} and a relu
 * ({@code Activation} or the convolution's own). The chains it finds are torchvision's and Keras'
 * conv-bn-relu and ResNet's conv-bn-add-relu. Each absorbed node must be its predecessor's only
 * consumer and no model output, and the residual must be computed before the convolution, so
 * nothing else can see the intermediate values the fusion never writes.
 *
 * <p>Folding, in float64 from the stored values: {@code s = gamma / sqrt(moving_variance + epsilon)},
 * {@code w' = w * s} per output channel, {@code b' = (b - moving_mean) * s + beta}. That is exactly
 * the inference batch norm of the convolution's output, up to float rounding.
 */
final class Fusion {
    /**
     * One fused chain: head (the convolution) to tail (the node whose activation it writes); bn, add
     * and relu are null where absent, residual is the add's other input.
     */
    record Group(Node head, Node bn, Node add, Node residual, Node relu, Node tail) {
        List<Node> members() {
            List<Node> m = new ArrayList<>();
            for (Node n : new Node[] {head, bn, add, relu}) {
                if (n != null && !m.contains(n)) {
                    m.add(n);
                }
            }
            return m;
        }

        /** As summary() would name it: conv1_conv+conv1_bn+conv1_relu. */
        String describe() {
            StringBuilder b = new StringBuilder();
            for (Node n : members()) {
                b.append(b.length() == 0 ? "" : "+").append(n.layer().name());
            }
            if (head.layer() instanceof Conv2D c && c.activation() == ActivationFn.RELU) {
                b.append("(relu)");
            }
            return b.toString();
        }
    }

    private Fusion() {
    }

    /** Every chain of the model, keyed by its head, in graph order; position: each node's topological index. */
    static Map<Node, Group> plan(Model model, Map<Node, Integer> position) {
        Map<Node, Group> groups = new LinkedHashMap<>();
        for (Node n : model.nodes()) {
            if (!(n.layer() instanceof Conv2D conv)) {
                continue;
            }
            if (conv.activation() == ActivationFn.RELU) {
                groups.put(n, new Group(n, null, null, null, n, n));
                continue;
            }
            Node cur = n;
            Node bn = next(model, cur, BatchNormalization.class);
            if (bn != null) {
                cur = bn;
            }
            Node add = next(model, cur, Add.class);
            Node residual = null;
            if (add != null) {
                Node other = add.inputs().get(0) == cur ? add.inputs().get(1) : add.inputs().get(0);
                if (other != cur && position.get(other) < position.get(n)) {
                    residual = other;
                    cur = add;
                } else {
                    add = null;
                }
            }
            Node relu = next(model, cur, Activation.class);
            if (relu != null && ((Activation) relu.layer()).activation() == ActivationFn.RELU) {
                cur = relu;
            } else {
                relu = null;
            }
            groups.put(n, new Group(n, bn, add, residual, relu, cur));
        }
        return groups;
    }

    /**
     * The chains a training plan runs as one fused batch norm ({@link Backend#batchNormReluForwardTraining},
     * {@link Backend#batchNormAddReluForwardTraining} and their backward passes), keyed by their tail,
     * in graph order: a trainable {@code BatchNormalization} over images whose only consumer is a relu
     * {@code Activation}, or a two-input {@code Add} whose only consumer is one (ResNet's block tail).
     * Head and bn are the batch norm; the absorbed members are no model outputs and have no other
     * consumer, so no layer reads the values the fused op never writes.
     */
    static Map<Node, Group> trainingChains(Model model) {
        Map<Node, Group> groups = new LinkedHashMap<>();
        for (Node n : model.nodes()) {
            if (!(n.layer() instanceof BatchNormalization bn) || !bn.trainable() || n.shape().rank() != 3) {
                continue;
            }
            Node cur = n;
            Node add = next(model, n, Add.class);
            Node residual = null;
            if (add != null && add.inputs().size() == 2) {
                Node other = add.inputs().get(0) == n ? add.inputs().get(1) : add.inputs().get(0);
                if (other != n) {
                    residual = other;
                    cur = add;
                } else {
                    add = null;
                }
            } else {
                add = null;
            }
            Node relu = next(model, cur, Activation.class);
            if (relu == null || ((Activation) relu.layer()).activation() != ActivationFn.RELU) {
                continue;
            }
            groups.put(relu, new Group(n, n, add, residual, relu, relu));
        }
        return groups;
    }

    /** The only consumer of {@code n} when it is of that layer type and n is no model output; else null. */
    private static Node next(Model model, Node n, Class<? extends Layer> type) {
        List<Node> consumers = model.consumers(n);
        if (consumers.size() != 1 || model.outputs().contains(n)) {
            return null;
        }
        Node c = consumers.get(0);
        return type.isInstance(c.layer()) ? c : null;
    }

    /** Freezes a group's convolution with its batch norm folded in, from the weights as they are now. */
    static FrozenConv freeze(Model model, Weights weights, Group g, int batch, Precision precision) {
        return freeze(model, weights, g, batch, precision, null);
    }

    /**
     * As above; with {@code int8} (the calibrated range of the chain's input) not null, frozen in
     * int8 ({@link Backend#freezeConvInt8}) with FP32 activations around it.
     */
    static FrozenConv freeze(Model model, Weights weights, Group g, int batch, Precision precision, Int8Range int8) {
        Backend be = weights.backend();
        Conv2D conv = (Conv2D) g.head().layer();
        Conv2dOp op = conv.op(batch);
        List<ParamRef> convParams = paramsOf(model, g.head());
        boolean relu = g.relu() != null;
        if (g.bn() == null) {
            Tensor w = weights.get(convParams.get(0));
            Tensor b = op.bias() ? weights.get(convParams.get(1)) : null;
            return int8 != null ? be.freezeConvInt8(op, w, b, g.residual() != null, relu, int8)
                    : be.freezeConv(op, w, b, g.residual() != null, relu, precision);
        }
        BatchNormalization bnLayer = (BatchNormalization) g.bn().layer();
        List<ParamRef> bnParams = paramsOf(model, g.bn());
        int first = bnLayer.scaled() ? 1 : 0;
        float[] w = weights.read(convParams.get(0));
        float[] b = op.bias() ? weights.read(convParams.get(1)) : null;
        float[] gamma = bnLayer.scaled() ? weights.read(bnParams.get(0)) : null;
        float[] beta = weights.read(bnParams.get(first));
        float[] mean = weights.read(bnParams.get(first + 1));
        float[] variance = weights.read(bnParams.get(first + 2));
        int channels = beta.length;
        int per = w.length / channels;
        float[] fw = new float[w.length];
        float[] fb = new float[channels];
        for (int o = 0; o < channels; o++) {
            double s = (gamma == null ? 1.0 : gamma[o]) / Math.sqrt((double) variance[o] + bnLayer.epsilon());
            for (int i = o * per; i < (o + 1) * per; i++) {
                fw[i] = (float) (w[i] * s);
            }
            fb[o] = (float) (((b == null ? 0.0 : b[o]) - mean[o]) * s + beta[o]);
        }
        Conv2dOp folded = op.withBias(true);
        try (Tensor tw = be.allocate(folded.weightShape()); Tensor tb = be.allocate(folded.biasShape())) {
            be.upload(fw, tw);
            be.upload(fb, tb);
            return int8 != null ? be.freezeConvInt8(folded, tw, tb, g.residual() != null, relu, int8)
                    : be.freezeConv(folded, tw, tb, g.residual() != null, relu, precision);
        }
    }

    /**
     * The activations to keep in NHWC: a chain's output whose every reader is a frozen convolution that
     * takes NHWC natively (as its x, or as the residual of its add), when the producer writes NHWC
     * natively too. Everything else stays NCHW, the order every other primitive takes.
     */
    static Map<Node, Layout> layouts(Model model, Map<Node, Group> groups, Map<Node, FrozenConv> frozen) {
        Map<Node, Group> byMember = new HashMap<>();
        for (Group g : groups.values()) {
            for (Node m : g.members()) {
                byMember.put(m, g);
            }
        }
        Map<Node, Layout> out = new HashMap<>();
        for (Group g : groups.values()) {
            Node t = g.tail();
            boolean nhwc = frozen.get(g.head()).nativeLayout() == Layout.NHWC && !model.outputs().contains(t);
            for (Node c : model.consumers(t)) {
                Group reader = byMember.get(c);
                boolean asInput = reader != null && reader.head() == c && c.inputs().get(0) == t;
                boolean asResidual = reader != null && reader.add() == c && reader.residual() == t;
                if (!(asInput || asResidual) || frozen.get(reader.head()).nativeLayout() != Layout.NHWC) {
                    nhwc = false;
                }
            }
            if (nhwc) {
                out.put(t, Layout.NHWC);
            }
        }
        return out;
    }

    /**
     * The chains that may write their output over their residual (ResNet's identity shortcut, which
     * nothing reads after the add): tail to the node whose buffer it takes over. Allowed when the
     * residual is no model input or output, is not the convolution's own input, has the tail's layout,
     * and every other reader of it runs before the chain.
     */
    static Map<Node, Node> inPlace(Model model, Map<Node, Group> groups, Map<Node, Layout> layouts,
                                   Map<Node, Integer> position) {
        Map<Node, Node> alias = new LinkedHashMap<>();
        for (Group g : groups.values()) {
            Node r = g.residual();
            if (r == null || r == model.input() || model.outputs().contains(r) || r == g.head().inputs().get(0)
                    || layouts.getOrDefault(r, Layout.NCHW) != layouts.getOrDefault(g.tail(), Layout.NCHW)) {
                continue;
            }
            boolean others = false;
            for (Node c : model.consumers(r)) {
                if (c != g.add() && position.get(c) >= position.get(g.head())) {
                    others = true;
                }
            }
            if (!others) {
                alias.put(g.tail(), alias.getOrDefault(r, r));
            }
        }
        return alias;
    }

    private static List<ParamRef> paramsOf(Model model, Node n) {
        List<ParamRef> out = new ArrayList<>();
        for (ParamRef r : model.params()) {
            if (r.node() == n) {
                out.add(r);
            }
        }
        return out;
    }
}
