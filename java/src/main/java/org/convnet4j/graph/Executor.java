package org.convnet4j.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.FrozenConv;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * A model bound to a backend for one batch size: every layer bound once, every activation and
 * gradient placed once by a static memory plan, so a step allocates nothing.
 *
 * <p>Training keeps every activation (backward reads them) and plans the gradients by liveness: the
 * gradient of a node lives from the backward step of its last consumer to its own. Where a node fans
 * out, the consumer whose backward runs first writes the node's gradient and each later one writes a
 * short-lived scratch that is then accumulated. Inference plans the activations by liveness instead
 * and holds no gradients.
 *
 * <p>A frozen executor ({@link #frozen}) is an inference executor that also runs each convolution
 * chain {@link Fusion} finds (conv-bn-relu, conv-bn-add-relu) as one {@link FrozenConv}, from the
 * weights as they are when it is made: the absorbed nodes get no buffer and no step. Every other
 * layer gets a private copy of its parameters, so the whole executor is a snapshot: later writes to
 * the weights are not seen, and the weights may be closed once it is made.
 */
public final class Executor implements AutoCloseable {
    private final Model model;
    private final Backend backend;
    private final int batch;
    private final boolean training;
    private final List<Node> nodes;
    private final Map<Node, Integer> position = new HashMap<>();
    private final Tensor[] activations;
    private final Tensor[] grads;
    private final List<Tensor> owned = new ArrayList<>();
    private final Bound[] bound;
    /** Per node: (scratch, target) pairs to accumulate after its backward. */
    private final List<List<Tensor[]>> fanIn = new ArrayList<>();
    private final Tensor labels;
    private final Tensor[] probs;
    private final Tensor[] lossScratch;
    private final long plannedBytes;
    private final long unplannedBytes;
    private final List<String> fused = new ArrayList<>();
    private final boolean frozen;

    /** paramGrads null: an inference-only executor. */
    public Executor(Model model, Weights weights, Tensor[] paramGrads, int batch) {
        this(model, weights, paramGrads, batch, false);
    }

    /** An inference executor with every convolution chain fused and frozen (see the class comment). */
    public static Executor frozen(Model model, Weights weights, int batch) {
        return new Executor(model, weights, null, batch, true);
    }

    private Executor(Model model, Weights weights, Tensor[] paramGrads, int batch, boolean frozen) {
        if (frozen && paramGrads != null) {
            throw new IllegalArgumentException("Executor: a frozen executor is for inference only");
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("Executor: expected a strictly positive batch size. Received " + batch);
        }
        this.model = model;
        this.frozen = frozen;
        this.backend = weights.backend();
        this.batch = batch;
        this.training = paramGrads != null;
        this.nodes = model.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            position.put(nodes.get(i), i);
        }
        this.activations = new Tensor[nodes.size()];
        this.grads = new Tensor[nodes.size()];
        Map<Node, Fusion.Group> groups = frozen ? Fusion.plan(model, position) : Map.of();
        Map<Node, Node> headOf = new HashMap<>();
        for (Fusion.Group g : groups.values()) {
            for (Node m : g.members()) {
                headOf.put(m, g.head());
            }
        }
        Map<Node, FrozenConv> frozenConvs = new HashMap<>();
        try {
            for (Fusion.Group g : groups.values()) {
                frozenConvs.put(g.head(), Fusion.freeze(model, weights, g, batch));
            }
        } catch (RuntimeException e) {
            frozenConvs.values().forEach(FrozenConv::close);
            throw e;
        }
        Map<Node, Layout> layouts = frozen ? Fusion.layouts(model, groups, frozenConvs) : Map.of();
        Map<Node, Node> aliasOf = frozen ? Fusion.inPlace(model, groups, layouts, position) : Map.of();
        int last = nodes.size() - 1;
        Map<Node, Integer> aliasEnd = new HashMap<>();
        for (Map.Entry<Node, Node> a : aliasOf.entrySet()) {
            aliasEnd.merge(a.getValue(), lastUse(a.getKey(), last), Math::max);
        }
        MemoryPlan plan = new MemoryPlan();
        Map<Object, Integer> planned = new HashMap<>();
        List<List<Object[]>> scratchEdges = new ArrayList<>();
        for (int p = 0; p < nodes.size(); p++) {
            Node n = nodes.get(p);
            Shape s = n.batchShape(batch);
            scratchEdges.add(new ArrayList<>());
            fanIn.add(new ArrayList<>());
            if (training) {
                activations[p] = own(backend.allocate(s));
            } else {
                Node head = headOf.get(n);
                if (head != null && groups.get(head).tail() != n || aliasOf.containsKey(n)) {
                    continue; // absorbed into its chain (never written), or written over its residual
                }
                int end = Math.max(lastUse(n, last), aliasEnd.getOrDefault(n, 0));
                // A chain's tail is written when its head runs.
                planned.put(n, plan.add(s.size() * 4, head != null ? position.get(head) : p, end));
            }
        }
        if (training) {
            // Backward step of the node at topological position p is 1 + (last - p); step 0 is the loss.
            // The model input gets a gradient only when a consumer must write one (batch norm, concat).
            for (int p = 0; p < nodes.size(); p++) {
                Node n = nodes.get(p);
                List<Node> writers = new ArrayList<>(model.consumers(n));
                if (p == 0) {
                    writers.removeIf(c -> !c.layer().needsInputGradients());
                    if (writers.isEmpty()) {
                        continue;
                    }
                }
                boolean output = model.outputs().contains(n);
                int first = output ? 0 : Integer.MAX_VALUE;
                Node firstWriter = null;
                for (Node c : writers) {
                    int step = 1 + last - position.get(c);
                    if (step < first) {
                        first = step;
                        firstWriter = c;
                    }
                }
                long bytes = n.batchShape(batch).size() * 4;
                planned.put(n, plan.add(bytes, first, 1 + last - p));
                boolean claimed = output;
                for (Node c : writers) {
                    if (!claimed && c == firstWriter) {
                        claimed = true;
                        continue;
                    }
                    int step = 1 + last - position.get(c);
                    Object key = new Object();
                    planned.put(key, plan.add(bytes, step, step));
                    scratchEdges.get(position.get(c)).add(new Object[] {n, key});
                }
            }
        }
        plan.solve();
        this.plannedBytes = plan.arenaBytes();
        this.unplannedBytes = plan.unsharedBytes();
        Tensor arena = plan.arenaBytes() > 0 ? own(backend.allocate(Shape.of(plan.arenaBytes() / 4))) : null;
        Map<Object, Tensor> scratch = new HashMap<>();
        for (int p = 0; p < nodes.size(); p++) {
            Node n = nodes.get(p);
            Shape s = n.batchShape(batch);
            if (!training) {
                Node owner = aliasOf.getOrDefault(n, n);
                activations[p] = planned.containsKey(owner)
                        ? arena.slice(plan.offset(planned.get(owner)), s, DType.FP32).view(layouts.getOrDefault(n, Layout.NCHW))
                        : null;
            } else if (planned.containsKey(n)) {
                grads[p] = arena.slice(plan.offset(planned.get(n)), s, DType.FP32);
            }
            for (Object[] edge : scratchEdges.get(p)) {
                Node from = (Node) edge[0];
                scratch.put(edge, arena.slice(plan.offset(planned.get(edge[1])), from.batchShape(batch), DType.FP32));
            }
        }
        this.bound = new Bound[nodes.size()];
        try {
            for (int p = 0; p < nodes.size(); p++) {
                Node n = nodes.get(p);
                Node head = headOf.get(n);
                if (head == null) {
                    bound[p] = n.layer().bind(binding(p, weights, paramGrads, scratchEdges.get(p), scratch));
                } else if (head == n) {
                    bound[p] = bindFused(groups.get(n), frozenConvs.remove(n));
                }
            }
        } catch (RuntimeException e) {
            frozenConvs.values().forEach(FrozenConv::close);
            close();
            throw e;
        }
        this.labels = own(backend.allocate(Shape.of(batch), DType.INT32));
        this.probs = new Tensor[model.outputs().size()];
        this.lossScratch = new Tensor[probs.length];
        for (int i = 0; i < probs.length; i++) {
            probs[i] = own(backend.allocate(model.outputs().get(i).batchShape(batch)));
            if (!training) {
                // The fused loss always writes dlogits; evaluation discards them here.
                lossScratch[i] = own(backend.allocate(model.outputs().get(i).batchShape(batch)));
            }
        }
    }

    /** The position of the last node that reads n's activation (the last one, for a model output). */
    private int lastUse(Node n, int last) {
        int end = model.outputs().contains(n) ? last : position.get(n);
        for (Node c : model.consumers(n)) {
            end = Math.max(end, position.get(c));
        }
        return end;
    }

    private Bound bindFused(Fusion.Group g, FrozenConv conv) {
        Tensor x = activations[position.get(g.head().inputs().get(0))];
        Tensor residual = g.residual() == null ? null : activations[position.get(g.residual())];
        Tensor y = activations[position.get(g.tail())];
        fused.add(g.describe());
        return new Bound() {
            @Override
            public void forward(boolean train, long step) {
                conv.forward(x, residual, y);
            }

            @Override
            public void backward(long step) {
                throw new IllegalStateException("a frozen executor has no backward pass");
            }

            @Override
            public void close() {
                conv.close();
            }
        };
    }

    /** The chains a frozen executor runs as one convolution, as layer names joined by '+' (empty otherwise). */
    public List<String> fusedChains() {
        return List.copyOf(fused);
    }

    private Binding binding(int p, Weights weights, Tensor[] paramGrads, List<Object[]> edges, Map<Object, Tensor> scratch) {
        Node n = nodes.get(p);
        List<Tensor> ins = new ArrayList<>();
        List<Tensor> inGrads = new ArrayList<>();
        for (Node in : n.inputs()) {
            int q = position.get(in);
            ins.add(activations[q]);
            Tensor g = q == 0 && !n.layer().needsInputGradients() ? null : grads[q];
            for (Object[] edge : edges) {
                if (edge[0] == in && scratch.containsKey(edge) && !inGrads.contains(scratch.get(edge))) {
                    g = scratch.get(edge);
                    fanIn.get(p).add(new Tensor[] {g, grads[q]});
                    break;
                }
            }
            inGrads.add(g);
        }
        List<Tensor> params = new ArrayList<>();
        List<Tensor> pGrads = new ArrayList<>();
        for (ParamRef r : model.params()) {
            if (r.node() == n) {
                Tensor t = weights.get(r);
                if (frozen) {
                    // A snapshot, as the frozen convolutions are: later writes to the weights are not seen.
                    Tensor copy = own(backend.allocate(t.shape()));
                    backend.copy(t, copy);
                    t = copy;
                }
                params.add(t);
                pGrads.add(paramGrads == null ? null : paramGrads[r.index()]);
            }
        }
        return new Binding(backend, batch, ins, activations[p], params, training ? inGrads : null,
                training ? grads[p] : null, training ? pGrads : null);
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    public int batch() {
        return batch;
    }

    public boolean training() {
        return training;
    }

    /** The input batch tensor (N x C x H x W) to upload images into. */
    public Tensor input() {
        return activations[0];
    }

    /** The labels tensor (N, INT32). */
    public Tensor labels() {
        return labels;
    }

    /** Output i's logits (the pre-softmax values of its softmax layer). */
    public Tensor logits(int i) {
        return activations[position.get(model.outputs().get(i))];
    }

    /** Where the loss writes output i's probabilities. */
    public Tensor probs(int i) {
        return probs[i];
    }

    /** Where the loss writes the gradient of output i's logits (a discarded scratch when evaluating). */
    public Tensor logitsGrad(int i) {
        return training ? grads[position.get(model.outputs().get(i))] : lossScratch[i];
    }

    public void forward(boolean train, long step) {
        if (train && !training) {
            throw new IllegalStateException("This executor was bound for inference only");
        }
        for (int p = 1; p < nodes.size(); p++) {
            if (bound[p] == null) {
                continue; // absorbed into a frozen chain
            }
            long t0 = Profiler.ON ? System.nanoTime() : 0;
            bound[p].forward(train, step);
            if (Profiler.ON) {
                Profiler.add(nodes.get(p).layer().type(), 0, System.nanoTime() - t0);
            }
        }
    }

    /** Backward through the graph; the loss must have written {@link #logitsGrad} for every output. */
    public void backward(long step) {
        if (!training) {
            throw new IllegalStateException("This executor was bound for inference only");
        }
        for (int p = nodes.size() - 1; p >= 1; p--) {
            long t0 = Profiler.ON ? System.nanoTime() : 0;
            bound[p].backward(step);
            for (Tensor[] pair : fanIn.get(p)) {
                backend.accumulate(pair[0], pair[1]);
            }
            if (Profiler.ON) {
                Profiler.add(nodes.get(p).layer().type(), 1, System.nanoTime() - t0);
            }
        }
    }

    /** The bound batch-norm layers, in graph order. */
    public List<BatchNormStatistics> batchNorms() {
        List<BatchNormStatistics> out = new ArrayList<>();
        for (Bound b : bound) {
            if (b instanceof BatchNormStatistics s) {
                out.add(s);
            }
        }
        return out;
    }

    /** Bytes of the planned arena, and what the same buffers would take unshared. */
    public long plannedBytes() {
        return plannedBytes;
    }

    public long unplannedBytes() {
        return unplannedBytes;
    }

    @Override
    public void close() {
        for (Bound b : bound) {
            if (b != null) {
                b.close();
            }
        }
        for (Tensor t : owned) {
            if (t.isLive()) {
                t.close();
            }
        }
    }
}
