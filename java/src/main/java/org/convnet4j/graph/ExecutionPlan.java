package org.convnet4j.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;

/**
 * Everything an {@link Executor} does, decided once per (model, batch size, mode) and before any
 * memory exists: which nodes run (a frozen plan absorbs whole convolution chains into their head, a
 * training plan batch norm + (add +) relu chains into their relu),
 * where each activation and gradient lives, which gradients a node's backward writes into a scratch
 * that is then accumulated, and the loss over the outputs as the last forward step. The executor only
 * allocates what the plan places and binds and runs the layers in its order.
 *
 * <p><b>Steps.</b> Forward step p runs the node at topological position p; backward step
 * {@code 1 + last - p} runs its backward, step 0 being the loss. Lifetimes are closed intervals of
 * steps: in an inference plan, forward steps: an activation lives from its producer (a chain's head,
 * for a chain's tail) to its last reader; in a training plan, whose arena holds the gradients,
 * backward steps: a gradient lives from the step of its first writer (the loss, for an output) to
 * its own node's. A training chain's members run their backward at their relu's step, so their
 * writes are placed there, and their own outputs get no gradient. Buffers whose lifetimes do not
 * overlap share bytes of one arena
 * ({@link MemoryPlan}). A training plan keeps every activation, each in a buffer of its own, because
 * backward reads them.
 *
 * <p><b>Formats.</b> A training or inference plan keeps every image activation (rank 4) and its
 * gradient in one format for the whole graph, the {@link Precision}'s element type in the layout
 * the backend asks for ({@link org.convnet4j.backend.Backend#activationLayout}), so that no layer
 * reorders them; features (N x F) and the logits stay FP32 NCHW. A Flatten or global pool is where
 * the two meet, and the model input, which the executor converts from the FP32 NCHW batch the host
 * uploads when its format differs.
 *
 * <p><b>Fan-in.</b> Where a node's output is read by several nodes, the reader whose backward runs
 * first writes the gradient directly; each later reader writes a short-lived scratch, which
 * {@link Accumulation} adds into the gradient right after that reader's backward.
 */
public final class ExecutionPlan {
    /** What the plan is for. */
    public enum Mode {
        /** Forward with batch statistics, loss, backward; every activation kept. */
        TRAINING,
        /** Forward with moving statistics and the loss; activations placed by liveness, no gradients. */
        INFERENCE,
        /** As INFERENCE, with every convolution chain {@link Fusion} finds run as one frozen convolution. */
        FROZEN
    }

    /** Where a buffer lives. */
    public sealed interface Placement {
        /**
         * At {@code offset} bytes into the plan's shared arena, alive from step {@code first} to step
         * {@code last} inclusive (the class comment numbers the steps); no other arena buffer alive at
         * the same time overlaps its bytes.
         */
        record Arena(long offset, int first, int last) implements Placement {
        }

        /** In a buffer of its own (a training activation, which backward reads). */
        record Dedicated() implements Placement {
        }

        /** In the buffer of the node at {@code position}, written over it (ResNet's identity shortcut). */
        record SameAs(int position) implements Placement {
        }

        /** Nowhere: an absorbed member of a frozen chain, never written. */
        record Absorbed() implements Placement {
        }
    }

    /**
     * A placed tensor: where, its batch shape, element type and layout.
     *
     * @param placement where its storage is
     * @param shape its shape, batch axis first
     * @param dtype its element type
     * @param layout its memory order
     */
    public record Buffer(Placement placement, Shape shape, DType dtype, Layout layout) {
        /**
         * The buffer's size.
         *
         * @return its element count times its element type's size, in bytes
         */
        public long bytes() {
            return shape.size() * dtype.bytes();
        }
    }

    /** Where a node's backward writes the gradient of one of its inputs. */
    public sealed interface GradientTarget {
        /** No gradient (the model input, for a layer that needs none). */
        record None() implements GradientTarget {
        }

        /** Straight into the gradient of the input node at {@code position}. */
        record NodeGradient(int position) implements GradientTarget {
        }

        /** Into a scratch that an {@link Accumulation} then adds to the input's gradient. */
        record Scratch(Buffer buffer, int into) implements GradientTarget {
        }
    }

    /**
     * After the backward of the node at {@code after}: add {@code scratch} into the gradient of node {@code into}.
     *
     * @param after the position of the node whose backward wrote the scratch
     * @param scratch the scratch gradient
     * @param into the position of the node whose gradient it is added to
     */
    public record Accumulation(int after, Buffer scratch, int into) {
    }

    /**
     * One node's part of the plan.
     *
     * @param node the node
     * @param position its topological position, 0 for the model input
     * @param runs whether its layer runs (false for the model input and for members a frozen chain, or a
     *        training plan's fused batch-norm chain, absorbed)
     * @param activation where its output lives
     * @param gradient where its output's gradient lives in a training plan, else null
     * @param inputGradients where its backward writes each input's gradient, in input order (empty
     *        outside training)
     */
    public record Step(Node node, int position, boolean runs, Buffer activation, Buffer gradient,
                       List<GradientTarget> inputGradients) {
    }

    /**
     * The loss of one output, the last forward step: softmax cross-entropy of its node, weighted.
     *
     * @param output the output's index in the model's outputs, 0 for the main one
     * @param position its node's topological position
     * @param weight the loss's weight (the model's for that output in training, 1 otherwise)
     */
    public record Loss(int output, int position, double weight) {
    }

    private final Model model;
    private final int batch;
    private final Mode mode;
    private final Precision precision;
    private final List<Step> steps;
    private final List<Accumulation> accumulations;
    private final List<Loss> losses;
    private final List<Fusion.Group> chains;
    private final long arenaBytes;
    private final long unsharedBytes;

    private ExecutionPlan(Model model, int batch, Mode mode, Precision precision, List<Step> steps, List<Loss> losses,
                          List<Fusion.Group> chains, long arenaBytes, long unsharedBytes) {
        this.model = model;
        this.batch = batch;
        this.mode = mode;
        this.precision = precision;
        this.steps = List.copyOf(steps);
        // Read off the steps' scratch targets, in backward order: the last node's first.
        List<Accumulation> acc = new ArrayList<>();
        for (int p = this.steps.size() - 1; p >= 0; p--) {
            for (GradientTarget t : this.steps.get(p).inputGradients()) {
                if (t instanceof GradientTarget.Scratch sc) {
                    acc.add(new Accumulation(p, sc.buffer(), sc.into()));
                }
            }
        }
        this.accumulations = List.copyOf(acc);
        this.losses = List.copyOf(losses);
        this.chains = List.copyOf(chains);
        this.arenaBytes = arenaBytes;
        this.unsharedBytes = unsharedBytes;
    }

    /**
     * The plan of a training step: forward, loss, backward; FP32 in NCHW order.
     *
     * @param model the model
     * @param batch the batch size, at least 1
     * @return the plan
     */
    public static ExecutionPlan training(Model model, int batch) {
        return training(model, batch, Precision.FP32, Layout.NCHW);
    }

    /**
     * The plan of a training step with image activations and their gradients in {@code precision}'s
     * type and {@code layout} (see the class comment, Formats).
     *
     * @param model     the model
     * @param batch     the batch size, at least 1
     * @param precision the element type of image activations
     * @param layout    their memory order ({@link org.convnet4j.backend.Backend#activationLayout})
     * @return the plan
     */
    public static ExecutionPlan training(Model model, int batch, Precision precision, Layout layout) {
        return new Planner(model, batch, Mode.TRAINING, Map.of(), Map.of(), precision, layout).plan();
    }

    /**
     * The plan of an inference pass: forward and the loss, no gradients; FP32 in NCHW order.
     *
     * @param model the model
     * @param batch the batch size, at least 1
     * @return the plan
     */
    public static ExecutionPlan inference(Model model, int batch) {
        return inference(model, batch, Precision.FP32, Layout.NCHW);
    }

    /**
     * An inference plan with image activations in {@code precision}'s type and {@code layout}.
     *
     * @param model     the model
     * @param batch     the batch size, at least 1
     * @param precision the element type of image activations
     * @param layout    their memory order
     * @return the plan
     */
    public static ExecutionPlan inference(Model model, int batch, Precision precision, Layout layout) {
        return new Planner(model, batch, Mode.INFERENCE, Map.of(), Map.of(), precision, layout).plan();
    }

    /**
     * A frozen inference plan: {@code chains} (Fusion.plan, keyed by head) run as one convolution each,
     * and the activations in {@code layouts} are kept in that layout (NCHW otherwise).
     */
    static ExecutionPlan frozen(Model model, int batch, Map<Node, Fusion.Group> chains, Map<Node, Layout> layouts) {
        return frozen(model, batch, chains, layouts, Precision.FP32, Layout.NCHW);
    }

    /**
     * A frozen plan in {@code precision} with every image activation in the precision's type and in
     * {@code imageLayout}, as a training plan keeps them (layouts unused): on the CPU NHWC, so pooling,
     * batch norm and the frozen convolutions all read and write channels-last and nothing is reordered
     * between them. An fp32 plan with {@code imageLayout} NCHW (CUDA) is planned as above instead.
     */
    static ExecutionPlan frozen(Model model, int batch, Map<Node, Fusion.Group> chains, Map<Node, Layout> layouts,
                                Precision precision, Layout imageLayout) {
        return new Planner(model, batch, Mode.FROZEN, chains, layouts, precision, imageLayout).plan();
    }

    /**
     * The model planned.
     *
     * @return the model
     */
    public Model model() {
        return model;
    }

    /**
     * The batch size planned.
     *
     * @return the batch size
     */
    public int batch() {
        return batch;
    }

    /**
     * What the plan is for.
     *
     * @return training, inference or frozen inference
     */
    public Mode mode() {
        return mode;
    }

    /**
     * Whether this is a training plan (gradients placed, backward steps).
     *
     * @return true for {@link Mode#TRAINING}
     */
    public boolean training() {
        return mode == Mode.TRAINING;
    }

    /**
     * The element type policy of image activations.
     *
     * @return the precision
     */
    public Precision precision() {
        return precision;
    }

    /**
     * Every node, in topological order (the model input first).
     *
     * @return one step per node
     */
    public List<Step> steps() {
        return steps;
    }

    /**
     * The step of one node.
     *
     * @param position the node's position in topological order
     * @return its step
     */
    public Step step(int position) {
        return steps.get(position);
    }

    /**
     * The fan-in accumulations, in backward order.
     *
     * @return every accumulation the plan's backward runs
     */
    public List<Accumulation> accumulations() {
        return accumulations;
    }

    /**
     * The accumulations that follow the backward of the node at {@code position}.
     *
     * @param position a node's position in topological order
     * @return those accumulations, possibly none
     */
    public List<Accumulation> accumulationsAfter(int position) {
        List<Accumulation> out = new ArrayList<>();
        for (Accumulation a : accumulations) {
            if (a.after() == position) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * The losses a step computes: every output in training, the main output otherwise.
     *
     * @return the losses
     */
    public List<Loss> losses() {
        return losses;
    }

    /**
     * The chains a frozen plan runs as one convolution each, or a training plan as one fused batch norm
     * (at its tail's step, forward and backward), in graph order.
     */
    List<Fusion.Group> chains() {
        return chains;
    }

    /**
     * Bytes of the shared arena: the peak of everything the plan places there at once.
     *
     * @return the arena's size in bytes
     */
    public long arenaBytes() {
        return arenaBytes;
    }

    /**
     * What the arena's buffers would take unshared.
     *
     * @return the sum of their sizes in bytes
     */
    public long unsharedBytes() {
        return unsharedBytes;
    }

    @Override
    public String toString() {
        return "ExecutionPlan(" + model.name() + ", batch " + batch + ", " + mode + ", " + precision.option() + ", arena " + arenaBytes + " of "
                + unsharedBytes + " bytes unshared, " + accumulations.size() + " accumulations)";
    }

    /** The planning itself: one pass per concern, over the model's topological order. */
    private static final class Planner {
        private final Model model;
        private final int batch;
        private final Mode mode;
        private final Map<Node, Fusion.Group> groups;
        private final Map<Node, Layout> layouts;
        private final Precision precision;
        /** The layout of image activations in a training or inference plan. */
        private final Layout imageLayout;
        private final List<Node> nodes;
        private final int last;
        private final Map<Node, Integer> position = new HashMap<>();
        private final Map<Node, Node> headOf = new HashMap<>();
        /** A training plan's fused batch-norm chains ({@link Fusion#trainingChains}), keyed by tail. */
        private final Map<Node, Fusion.Group> trainingChains;
        /** Each absorbed member of a training chain (its batch norm, its add): the chain's tail. */
        private final Map<Node, Node> tailOf = new HashMap<>();
        private final MemoryPlan arena = new MemoryPlan();
        /** Per arena id: {first, last}. */
        private final List<int[]> lifetimes = new ArrayList<>();

        Planner(Model model, int batch, Mode mode, Map<Node, Fusion.Group> groups, Map<Node, Layout> layouts,
                Precision precision, Layout imageLayout) {
            if (batch <= 0) {
                throw new IllegalArgumentException("ExecutionPlan: expected a strictly positive batch size. Received " + batch);
            }
            this.model = model;
            this.batch = batch;
            this.mode = mode;
            this.groups = groups;
            this.layouts = layouts;
            this.precision = precision;
            this.imageLayout = imageLayout;
            this.nodes = model.nodes();
            this.last = nodes.size() - 1;
            for (int i = 0; i < nodes.size(); i++) {
                position.put(nodes.get(i), i);
            }
            for (Fusion.Group g : groups.values()) {
                for (Node m : g.members()) {
                    headOf.put(m, g.head());
                }
            }
            this.trainingChains = mode == Mode.TRAINING ? Fusion.trainingChains(model) : Map.of();
            for (Fusion.Group g : trainingChains.values()) {
                for (Node m : g.members()) {
                    if (m != g.tail()) {
                        tailOf.put(m, g.tail());
                    }
                }
            }
        }

        ExecutionPlan plan() {
            Map<Node, Node> aliasOf = mode == Mode.FROZEN ? Fusion.inPlace(model, groups, actualLayouts(), position)
                    : Map.of();
            int[] activationIds = mode == Mode.TRAINING ? null : placeActivations(aliasOf);
            int[] gradientIds = new int[nodes.size()];
            List<List<int[]>> scratch = new ArrayList<>(); // per writer position: {input position, arena id}
            if (mode == Mode.TRAINING) {
                placeGradients(gradientIds, scratch);
            }
            arena.solve();
            List<Step> steps = new ArrayList<>();
            for (int p = 0; p < nodes.size(); p++) {
                Node n = nodes.get(p);
                Buffer activation = mode == Mode.TRAINING
                        ? buffer(new Placement.Dedicated(), n, Layout.NCHW)
                        : activation(n, activationIds[p], aliasOf);
                Buffer gradient = mode == Mode.TRAINING && gradientIds[p] >= 0
                        ? buffer(at(gradientIds[p]), n, Layout.NCHW) : null;
                // A training chain runs at its tail: the batch norm and add it absorbs do not run.
                boolean runs = p > 0 && (headOf.get(n) == null || headOf.get(n) == n) && !tailOf.containsKey(n);
                List<GradientTarget> targets = mode == Mode.TRAINING
                        ? inputGradients(p, gradientIds, scratch.get(p)) : List.of();
                steps.add(new Step(n, p, runs, activation, gradient, targets));
            }
            List<Loss> losses = new ArrayList<>();
            int outputs = mode == Mode.TRAINING ? model.outputs().size() : 1;
            for (int i = 0; i < outputs; i++) {
                Node out = model.outputs().get(i);
                losses.add(new Loss(i, position.get(out), mode == Mode.TRAINING ? model.lossWeight(i) : 1));
            }
            List<Fusion.Group> chains = mode == Mode.TRAINING ? List.copyOf(trainingChains.values())
                    : List.copyOf(groups.values());
            return new ExecutionPlan(model, batch, mode, precision, steps, losses, chains,
                    arena.arenaBytes(), arena.unsharedBytes());
        }

        /** Each node's layout as this plan stores it (for a frozen plan's in-place decisions). */
        private Map<Node, Layout> actualLayouts() {
            if (!chooses()) {
                return layouts;
            }
            Map<Node, Layout> all = new HashMap<>();
            for (Node n : nodes) {
                all.put(n, image(n) ? imageLayout : Layout.NCHW);
            }
            return all;
        }

        /**
         * Inference activations by liveness; -1 for a node that gets no buffer of its own (absorbed into
         * its chain and never written, or written over its residual).
         */
        private int[] placeActivations(Map<Node, Node> aliasOf) {
            Map<Node, Integer> aliasEnd = new HashMap<>();
            for (Map.Entry<Node, Node> a : aliasOf.entrySet()) {
                aliasEnd.merge(a.getValue(), lastUse(a.getKey()), Math::max);
            }
            int[] ids = new int[nodes.size()];
            for (int p = 0; p < nodes.size(); p++) {
                Node n = nodes.get(p);
                Node head = headOf.get(n);
                if (head != null && groups.get(head).tail() != n || aliasOf.containsKey(n)) {
                    ids[p] = -1;
                    continue;
                }
                int end = Math.max(lastUse(n), aliasEnd.getOrDefault(n, 0));
                // A chain's tail is written when its head runs.
                ids[p] = add(bytes(n), head != null ? position.get(head) : p, end);
            }
            return ids;
        }

        private Buffer activation(Node n, int id, Map<Node, Node> aliasOf) {
            Layout layout = layouts.getOrDefault(n, Layout.NCHW);
            if (aliasOf.containsKey(n)) {
                return buffer(new Placement.SameAs(position.get(aliasOf.get(n))), n, layout);
            }
            return id < 0 ? buffer(new Placement.Absorbed(), n, layout)
                    : buffer(at(id), n, layout);
        }

        /**
         * Gradients by liveness (-1: none), and the scratch each non-first writer of a fanned-out node
         * writes instead. The model input gets a gradient only when a consumer must write one.
         */
        private void placeGradients(int[] ids, List<List<int[]>> scratch) {
            for (int p = 0; p < nodes.size(); p++) {
                scratch.add(new ArrayList<>());
            }
            for (int p = 0; p < nodes.size(); p++) {
                Node n = nodes.get(p);
                ids[p] = -1;
                if (tailOf.containsKey(n)) {
                    continue; // absorbed into a training chain: its gradient is never formed
                }
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
                    int step = backwardStep(c);
                    if (step < first) {
                        first = step;
                        firstWriter = c;
                    }
                }
                ids[p] = add(bytes(n), first, backwardStep(n));
                boolean claimed = output;
                for (Node c : writers) {
                    if (!claimed && c == firstWriter) {
                        claimed = true;
                        continue;
                    }
                    int step = backwardStep(c);
                    scratch.get(position.get(c)).add(new int[] {p, add(bytes(n), step, step)});
                }
            }
        }

        /** Where node p's backward writes each input's gradient (a scratch implies an accumulation after it). */
        private List<GradientTarget> inputGradients(int p, int[] gradientIds, List<int[]> scratch) {
            Node n = nodes.get(p);
            List<GradientTarget> targets = new ArrayList<>();
            List<int[]> used = new ArrayList<>();
            for (Node in : n.inputs()) {
                int q = position.get(in);
                GradientTarget t = q == 0 && !n.layer().needsInputGradients() || gradientIds[q] < 0
                        ? new GradientTarget.None() : new GradientTarget.NodeGradient(q);
                for (int[] s : scratch) {
                    if (s[0] == q && !containsRef(used, s)) {
                        Buffer b = buffer(at(s[1]), in, Layout.NCHW);
                        t = new GradientTarget.Scratch(b, q);
                        used.add(s);
                        break;
                    }
                }
                targets.add(t);
            }
            return Collections.unmodifiableList(targets);
        }

        private static boolean containsRef(List<int[]> list, int[] x) {
            for (int[] y : list) {
                if (y == x) {
                    return true;
                }
            }
            return false;
        }

        private int add(long bytes, int first, int last) {
            lifetimes.add(new int[] {first, last});
            return arena.add(bytes, first, last);
        }

        private Placement.Arena at(int id) {
            return new Placement.Arena(arena.offset(id), lifetimes.get(id)[0], lifetimes.get(id)[1]);
        }

        /** The position of the last node that reads n's activation (the last one, for a model output). */
        private int lastUse(Node n) {
            int end = model.outputs().contains(n) ? last : position.get(n);
            for (Node c : model.consumers(n)) {
                end = Math.max(end, position.get(c));
            }
            return end;
        }

        /** The backward step at which n's backward runs: a training chain's members run at its tail's. */
        private int backwardStep(Node n) {
            return 1 + last - position.get(tailOf.getOrDefault(n, n));
        }

        private long bytes(Node n) {
            return n.batchShape(batch).size() * dtype(n).bytes();
        }

        /** Image activations in the policy's type; the input, features and logits FP32 (see the class comment). */
        private DType dtype(Node n) {
            return image(n) ? precision.activations() : DType.FP32;
        }

        /**
         * Whether n is an image activation whose format the plan chooses: every plan's but a frozen
         * fp32 plan's on a backend that keeps activations NCHW (CUDA), where the frozen convolutions'
         * own layouts ({@code layouts}) decide.
         */
        private boolean image(Node n) {
            return chooses() && n.batchShape(batch).rank() == 4;
        }

        private boolean chooses() {
            return mode != Mode.FROZEN || precision != Precision.FP32 || imageLayout != Layout.NCHW;
        }

        /** {@code layout} is the frozen plan's choice; the others choose their own. */
        private Buffer buffer(Placement where, Node n, Layout layout) {
            Layout l = image(n) ? imageLayout : layout;
            return new Buffer(where, n.batchShape(batch), dtype(n), l);
        }
    }
}
