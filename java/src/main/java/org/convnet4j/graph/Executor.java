package org.convnet4j.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.convnet4j.backend.Backend;
import org.convnet4j.tensor.DType;
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

    /** paramGrads null: an inference-only executor. */
    public Executor(Model model, Weights weights, Tensor[] paramGrads, int batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException("Executor: expected a strictly positive batch size. Received " + batch);
        }
        this.model = model;
        this.backend = weights.backend();
        this.batch = batch;
        this.training = paramGrads != null;
        this.nodes = model.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            position.put(nodes.get(i), i);
        }
        this.activations = new Tensor[nodes.size()];
        this.grads = new Tensor[nodes.size()];
        MemoryPlan plan = new MemoryPlan();
        Map<Object, Integer> planned = new HashMap<>();
        List<List<Object[]>> scratchEdges = new ArrayList<>();
        int last = nodes.size() - 1;
        for (int p = 0; p < nodes.size(); p++) {
            Node n = nodes.get(p);
            Shape s = n.batchShape(batch);
            scratchEdges.add(new ArrayList<>());
            fanIn.add(new ArrayList<>());
            if (training) {
                activations[p] = own(backend.allocate(s));
            } else {
                int end = model.outputs().contains(n) ? last : p;
                for (Node c : model.consumers(n)) {
                    end = Math.max(end, position.get(c));
                }
                planned.put(n, plan.add(s.size() * 4, p, end));
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
                activations[p] = arena.slice(plan.offset(planned.get(n)), s, DType.FP32);
            } else if (planned.containsKey(n)) {
                grads[p] = arena.slice(plan.offset(planned.get(n)), s, DType.FP32);
            }
            for (Object[] edge : scratchEdges.get(p)) {
                Node from = (Node) edge[0];
                scratch.put(edge, arena.slice(plan.offset(planned.get(edge[1])), from.batchShape(batch), DType.FP32));
            }
        }
        this.bound = new Bound[nodes.size()];
        for (int p = 0; p < nodes.size(); p++) {
            bound[p] = nodes.get(p).layer().bind(binding(p, weights, paramGrads, scratchEdges.get(p), scratch));
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
                params.add(weights.get(r));
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
            long t0 = Profiler.ON ? System.nanoTime() : 0;
            bound[p].forward(train, step);
            if (Profiler.ON) {
                Profiler.add(nodes.get(p).layer().type(), 0, System.nanoTime() - t0);
            }
        }
    }

    /** Backward through the graph; the loss must have written {@link #logitsGrad} for every output. */
    public void backward(long step) {
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
            t.close();
        }
    }
}
