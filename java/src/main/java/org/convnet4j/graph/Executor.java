package org.convnet4j.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.FrozenConv;
import org.convnet4j.backend.FrozenDense;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.SoftmaxCrossEntropy;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * A model bound to a backend for one {@link ExecutionPlan}: every layer bound once, every activation
 * and gradient where the plan placed it, so a step allocates nothing. A training step reads: upload
 * the batch ({@link #input}, {@link #setLabels}), {@link #trainStep} (forward, the loss of every
 * output, backward, the accuracy of the main output), then the caller's optimizer update.
 *
 * <p>A frozen executor ({@link #frozen}) is an inference executor that also runs each convolution
 * chain {@link Fusion} finds (conv-bn-relu, conv-bn-add-relu) as one {@link FrozenConv}, from the
 * weights as they are when it is made: the absorbed nodes get no buffer and no step. Every other
 * layer gets a private copy of its parameters, so the whole executor is a snapshot: later writes to
 * the weights are not seen, and the weights may be closed once it is made.
 */
public final class Executor implements AutoCloseable {
    /**
     * One step's weighted loss (summed over the outputs it covers) and how many main-output predictions were right.
     *
     * @param loss the weighted mean cross-entropy, summed over the outputs; may be NaN or infinite
     * @param correct rows of the batch whose top class is the label, or -1 when not counted
     */
    public record StepResult(double loss, int correct) {
    }

    private final ExecutionPlan plan;
    private final Model model;
    private final Backend backend;
    private final int batch;
    private final boolean training;
    private final boolean frozen;
    private final Map<Node, Integer> position = new HashMap<>();
    private final Tensor[] activations;
    private final Tensor[] grads;
    private final List<Tensor> owned = new ArrayList<>();
    private final Bound[] bound;
    /** Per step, what the profiler calls its time: the layer type, or the fused training chain's. */
    private final String[] label;
    /** Per step of a training plan: whether its backward runs (see {@link Model#needBackward()}). */
    private final boolean[] runsBackward;
    /** Per position: the scratch gradients to add, after its backward, into accumulateInto's tensors. */
    private final Tensor[][] accumulateFrom;
    private final Tensor[][] accumulateInto;
    private final Tensor labels;
    private final int[] labelsHost;
    private final Tensor[] probs;
    private final Tensor[] lossScratch;
    private final SoftmaxCrossEntropy[] lossOps;
    private final float[] probsHost;
    /** Where the host uploads the batch (FP32 NCHW) when the input activation is stored otherwise; else null. */
    private final Tensor hostInput;
    private final List<String> fused = new ArrayList<>();
    /** See {@link #observeConvInputs}. */
    private volatile BiConsumer<String, Tensor> convInputs;

    /**
     * paramGrads null: an inference-only executor. FP32, with image activations in the layout the
     * backend keeps them in ({@link Backend#activationLayout}). Runs on the weights' backend; the
     * weights and gradients stay the caller's and must outlive the executor.
     *
     * @param model the model, the one the weights belong to
     * @param weights its parameters; read in place, not copied
     * @param paramGrads one gradient tensor per parameter (null entries for non-trainable ones), or
     *        null for an inference-only executor
     * @param batch the batch size, &gt; 0
     * @throws IllegalArgumentException if the weights are of another model or the batch is not positive
     */
    public Executor(Model model, Weights weights, Tensor[] paramGrads, int batch) {
        this(paramGrads == null
                ? ExecutionPlan.inference(model, batch, Precision.FP32, weights.backend().activationLayout(Precision.FP32))
                : ExecutionPlan.training(model, batch, Precision.FP32, weights.backend().activationLayout(Precision.FP32)),
                weights, paramGrads, Map.of(), null);
    }

    /**
     * Binds {@code plan}; a training plan needs {@code paramGrads} (by parameter index), others none.
     *
     * @param plan a training or inference plan of the weights' model
     * @param weights its parameters, on the backend the executor runs on; not copied
     * @param paramGrads one gradient tensor per parameter for a training plan, else null
     * @throws IllegalArgumentException if paramGrads does not match the plan's mode or the weights are
     *         of another model
     */
    public Executor(ExecutionPlan plan, Weights weights, Tensor[] paramGrads) {
        this(plan, weights, paramGrads, Map.of(), null);
    }

    /**
     * An inference executor with every convolution chain fused and frozen (see the class comment).
     *
     * @param model the model
     * @param weights its parameters, copied: they may change or be closed afterwards
     * @param batch the batch size, &gt; 0
     * @return a new executor, FP32, owned by the caller
     * @throws IllegalArgumentException if the batch is not positive or the weights are of another model
     */
    public static Executor frozen(Model model, Weights weights, int batch) {
        return frozen(model, weights, batch, Precision.FP32);
    }

    /**
     * As above in {@code precision}: in bf16 every image activation is BF16 in the backend's layout and
     * the frozen convolutions (batch norm folded in FP32 first) compute in BF16.
     *
     * @param model the model
     * @param weights its parameters, copied
     * @param batch the batch size, &gt; 0
     * @param precision the activations' precision
     * @return a new executor, owned by the caller
     * @throws UnsupportedOperationException if the backend cannot compute in {@code precision}
     * @throws IllegalArgumentException if the batch is not positive or the weights are of another model
     */
    public static Executor frozen(Model model, Weights weights, int batch, Precision precision) {
        return frozen(model, weights, batch, precision, null);
    }

    /**
     * An inference executor with every convolution chain fused, frozen and computed in 8-bit integers
     * with the input ranges of {@code calibration} ({@link Backend#freezeConvInt8}), and every dense
     * layer too ({@link Backend#freezeDenseInt8}); the activations between them, and every other layer
     * (pooling, batch norm not folded into a convolution), stay FP32.
     *
     * @param model the model
     * @param weights its weights, read now (batch norm folded into the convolutions first)
     * @param batch the batch size
     * @param calibration the input range of every chain, from {@link Int8Calibration#calibrate}
     * @return the executor; the caller closes it
     * @throws UnsupportedOperationException where the backend has no int8 convolutions
     * @throws IllegalArgumentException if the calibration is of another model or misses a chain
     */
    public static Executor frozen(Model model, Weights weights, int batch, Int8Calibration calibration) {
        if (calibration == null) {
            throw new IllegalArgumentException("Executor: the int8 calibration is null");
        }
        if (!calibration.model().equals(model.name())) {
            throw new IllegalArgumentException("Executor: the int8 calibration is of model " + calibration.model()
                    + ", not " + model.name());
        }
        return frozen(model, weights, batch, Precision.FP32, calibration);
    }

    private static Executor frozen(Model model, Weights weights, int batch, Precision precision, Int8Calibration int8) {
        weights.backend().checkPrecision(precision);
        if (batch <= 0) {
            throw new IllegalArgumentException("Executor: expected a strictly positive batch size. Received " + batch);
        }
        Map<Node, Integer> position = new HashMap<>();
        for (int i = 0; i < model.nodes().size(); i++) {
            position.put(model.nodes().get(i), i);
        }
        Map<Node, Fusion.Group> groups = Fusion.plan(model, position);
        Map<Node, FrozenConv> convs = new HashMap<>();
        ExecutionPlan plan;
        try {
            for (Fusion.Group g : groups.values()) {
                convs.put(g.head(), Fusion.freeze(model, weights, g, batch, precision,
                        int8 == null ? null : int8.range(g.head().layer().name())));
            }
            plan = ExecutionPlan.frozen(model, batch, groups, Fusion.layouts(model, groups, convs), precision,
                    weights.backend().activationLayout(precision));
        } catch (RuntimeException e) {
            convs.values().forEach(FrozenConv::close);
            throw e;
        }
        return new Executor(plan, weights, null, convs, int8); // closes the convolutions itself if it fails
    }

    /** {@code convs}: the frozen convolution of each chain head of a frozen plan; closed by this executor (or on failure). */
    private Executor(ExecutionPlan plan, Weights weights, Tensor[] paramGrads, Map<Node, FrozenConv> convs,
                     Int8Calibration int8) {
        this.plan = plan;
        this.training = plan.training();
        this.frozen = plan.mode() == ExecutionPlan.Mode.FROZEN;
        if (training != (paramGrads != null)) {
            throw new IllegalArgumentException("Executor: a " + plan.mode() + " plan takes "
                    + (training ? "parameter gradients" : "no parameter gradients"));
        }
        if (weights.model() != plan.model()) {
            throw new IllegalArgumentException("Executor: the weights are of " + weights.model().name()
                    + ", the plan of " + plan.model().name());
        }
        this.model = plan.model();
        this.backend = weights.backend();
        this.batch = plan.batch();
        int count = plan.steps().size();
        for (ExecutionPlan.Step s : plan.steps()) {
            position.put(s.node(), s.position());
        }
        this.activations = new Tensor[count];
        this.grads = new Tensor[count];
        this.accumulateFrom = new Tensor[count][];
        this.accumulateInto = new Tensor[count][];
        this.bound = new Bound[count];
        this.label = new String[count];
        for (ExecutionPlan.Step s : plan.steps()) {
            label[s.position()] = s.node().layer().type();
        }
        if (training) {
            for (Fusion.Group g : plan.chains()) {
                label[position.get(g.tail())] = g.add() == null ? "BatchNormalization+relu" : "BatchNormalization+add+relu";
            }
        }
        this.runsBackward = new boolean[count];
        if (training) {
            Set<Node> need = model.needBackward();
            for (ExecutionPlan.Step s : plan.steps()) {
                runsBackward[s.position()] = need.contains(s.node());
            }
        }
        Map<Node, FrozenConv> unbound = new HashMap<>(convs);
        try {
            if (training) {
                for (ExecutionPlan.Step s : plan.steps()) {
                    ExecutionPlan.Buffer a = s.activation();
                    activations[s.position()] = own(backend.allocate(a.shape(), a.dtype(), a.layout()));
                }
            }
            Tensor arena = plan.arenaBytes() > 0 ? own(backend.allocate(Shape.of((plan.arenaBytes() + 3) / 4))) : null;
            for (ExecutionPlan.Step s : plan.steps()) {
                if (!training) {
                    activations[s.position()] = place(arena, s.activation());
                } else if (s.gradient() != null) {
                    grads[s.position()] = place(arena, s.gradient());
                }
            }
            Map<Node, Fusion.Group> trainingChains = new HashMap<>();
            if (training) {
                for (Fusion.Group g : plan.chains()) {
                    trainingChains.put(g.tail(), g);
                }
            }
            for (ExecutionPlan.Step s : plan.steps()) {
                FrozenConv conv = unbound.remove(s.node());
                Fusion.Group chain = trainingChains.get(s.node());
                if (chain != null) {
                    bound[s.position()] = bindTrainingChain(chain, weights, paramGrads, arena);
                } else if (conv != null) {
                    bound[s.position()] = bindChain(chainOf(s.node()), conv);
                } else if (frozen && s.runs() && s.node().layer() instanceof Dense d) {
                    bound[s.position()] = bindDense(s.node(), d, weights, plan.precision().activations(), int8);
                } else if (s.position() == 0 || s.runs()) {
                    bound[s.position()] = s.node().layer().bind(binding(s, weights, paramGrads, arena));
                }
            }
        } catch (RuntimeException e) {
            unbound.values().forEach(FrozenConv::close);
            close();
            throw e;
        }
        this.labels = own(backend.allocate(Shape.of(batch), DType.INT32));
        this.labelsHost = new int[batch];
        this.probs = new Tensor[model.outputs().size()];
        this.lossScratch = new Tensor[probs.length];
        for (int i = 0; i < probs.length; i++) {
            probs[i] = own(backend.allocate(model.outputs().get(i).batchShape(batch)));
            if (!training) {
                // The fused loss always writes dlogits; evaluation discards them here.
                lossScratch[i] = own(backend.allocate(model.outputs().get(i).batchShape(batch)));
            }
        }
        this.lossOps = new SoftmaxCrossEntropy[plan.losses().size()];
        for (ExecutionPlan.Loss l : plan.losses()) {
            Shape logits = model.outputs().get(l.output()).batchShape(batch);
            // A model whose output is no classifier (a probe of some inner node) can run, but has no loss.
            lossOps[l.output()] = logits.rank() == 2 ? new SoftmaxCrossEntropy(logits, true) : null;
        }
        this.probsHost = new float[Math.toIntExact(probs[0].size())];
        Tensor in = activations[0];
        this.hostInput = in.dtype() == DType.FP32 && in.layout() == Layout.NCHW ? null
                : own(backend.allocate(in.shape()));
    }

    /**
     * The pool bytes an executor bound from a training or inference {@code plan} holds, each tensor in
     * its pool size class ({@link MemoryPool#roundUp}), as its constructor allocates them: every
     * activation of a training plan, the arena, the labels, the upload tensor where the input is stored
     * in another format, each output's probabilities (and, for
     * inference, the loss's discarded gradients). Layers' own small state (batch-norm statistics
     * saved for backward) and what primitives take while they run are not counted; a frozen plan's
     * executor also copies parameters, not counted either. For refusing a run before it allocates.
     *
     * @param plan a training or inference plan
     * @return the bytes the executor's constructor takes from the pool
     */
    public static long bytes(ExecutionPlan plan) {
        long total = 0;
        if (plan.training()) {
            for (ExecutionPlan.Step s : plan.steps()) {
                total += MemoryPool.roundUp(s.activation().bytes());
            }
        }
        if (plan.arenaBytes() > 0) {
            total += MemoryPool.roundUp((plan.arenaBytes() + 3) / 4 * 4);
        }
        total += MemoryPool.roundUp((long) plan.batch() * DType.INT32.bytes());
        ExecutionPlan.Buffer in = plan.step(0).activation();
        if (in.dtype() != DType.FP32 || in.layout() != Layout.NCHW) {
            total += MemoryPool.roundUp(in.shape().size() * DType.FP32.bytes()); // the host's upload tensor
        }
        for (Node out : plan.model().outputs()) {
            long probs = MemoryPool.roundUp(out.batchShape(plan.batch()).size() * DType.FP32.bytes());
            total += plan.training() ? probs : 2 * probs;
        }
        return total;
    }

    /** The tensor a buffer of an inference or gradient plan names, sliced from the arena (null where none). */
    private Tensor place(Tensor arena, ExecutionPlan.Buffer b) {
        ExecutionPlan.Placement where = b.placement();
        if (where instanceof ExecutionPlan.Placement.SameAs same) {
            where = plan.step(same.position()).activation().placement();
        }
        if (!(where instanceof ExecutionPlan.Placement.Arena at)) {
            return null;
        }
        return arena.slice(at.offset(), b.shape(), b.dtype()).view(b.layout());
    }

    /**
     * A training chain (batch norm, add, relu: {@link Fusion#trainingChains}) bound as one fused batch
     * norm that runs at its tail's step, forward and backward. Its members' bindings are made for the
     * gradients they write (the batch norm's input, the add's residual), and their accumulations run
     * after the fused backward, at the tail's step, where the plan placed their scratch.
     */
    private Bound bindTrainingChain(Fusion.Group g, Weights weights, Tensor[] paramGrads, Tensor arena) {
        int tail = position.get(g.tail());
        Binding bn = binding(plan.step(position.get(g.bn())), weights, paramGrads, arena);
        Tensor residual = null;
        Tensor dresidual = null;
        List<Integer> members = new ArrayList<>(List.of(position.get(g.bn())));
        if (g.add() != null) {
            Binding add = binding(plan.step(position.get(g.add())), weights, paramGrads, arena);
            int slot = g.add().inputs().get(0) == g.residual() ? 0 : 1;
            residual = add.inputs().get(slot);
            dresidual = add.inputGrad(slot);
            members.add(position.get(g.add()));
        }
        List<Tensor> from = new ArrayList<>();
        List<Tensor> into = new ArrayList<>();
        for (int m : members) {
            from.addAll(List.of(accumulateFrom[m]));
            into.addAll(List.of(accumulateInto[m]));
            accumulateFrom[m] = new Tensor[0];
            accumulateInto[m] = new Tensor[0];
        }
        accumulateFrom[tail] = from.toArray(new Tensor[0]);
        accumulateInto[tail] = into.toArray(new Tensor[0]);
        fused.add(g.describe());
        return ((BatchNormalization) g.bn().layer()).bindFused(bn, residual, activations[tail], grads[tail], dresidual);
    }

    private Fusion.Group chainOf(Node head) {
        for (Fusion.Group g : plan.chains()) {
            if (g.head() == head) {
                return g;
            }
        }
        throw new IllegalStateException("no chain headed by " + head);
    }

    private Tensor activation(Node n) {
        return activations[position.get(n)];
    }

    private Bound bindChain(Fusion.Group g, FrozenConv conv) {
        Tensor x = activation(g.head().inputs().get(0));
        Tensor residual = g.residual() == null ? null : activation(g.residual());
        Tensor y = activation(g.tail());
        String name = g.head().layer().name();
        fused.add(g.describe());
        return new Bound() {
            @Override
            public void forward(boolean train, long step) {
                if (convInputs != null) {
                    convInputs.accept(name, x);
                }
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

    /**
     * A frozen plan's dense layer: its weights copied and packed once ({@link Backend#freezeDense}), in
     * {@code type} (BF16 in a bf16 plan, FP32 otherwise) or, with {@code int8} not null, in int8 with its
     * calibrated input range; the relu fused.
     */
    private Bound bindDense(Node n, Dense d, Weights weights, DType type, Int8Calibration int8) {
        List<Tensor> params = new ArrayList<>();
        for (ParamRef r : model.params()) {
            if (r.node() == n) {
                params.add(weights.get(r));
            }
        }
        Tensor w = params.get(0);
        Tensor b = params.size() > 1 ? params.get(1) : null;
        boolean relu = d.activation() == ActivationFn.RELU;
        String name = d.name();
        FrozenDense f = int8 != null ? backend.freezeDenseInt8(d.op(batch), w, b, relu, int8.range(name))
                : backend.freezeDense(d.op(batch), w, b, relu, type);
        Tensor x = activation(n.inputs().get(0));
        Tensor y = activation(n);
        return new Bound() {
            @Override
            public void forward(boolean train, long step) {
                if (convInputs != null) {
                    convInputs.accept(name, x);
                }
                f.forward(x, y);
            }

            @Override
            public void backward(long step) {
                throw new IllegalStateException("a frozen executor has no backward pass");
            }

            @Override
            public void close() {
                f.close();
            }
        };
    }

    /**
     * Calibration's hook: on every forward pass of a frozen executor, {@code observer} is handed each
     * frozen convolution's and dense layer's name and input just before it runs (null: none).
     */
    void observeConvInputs(BiConsumer<String, Tensor> observer) {
        this.convInputs = observer;
    }

    /**
     * The chains this executor runs as one op, as layer names joined by '+': a frozen executor's
     * convolution chains, a training executor's batch norm + (add +) relu chains (empty for an
     * inference executor).
     *
     * @return one entry per fused chain, in graph order
     */
    public List<String> fusedChains() {
        return List.copyOf(fused);
    }

    private Binding binding(ExecutionPlan.Step s, Weights weights, Tensor[] paramGrads, Tensor arena) {
        Node n = s.node();
        int p = s.position();
        List<Tensor> ins = new ArrayList<>();
        List<Tensor> inGrads = new ArrayList<>();
        List<Tensor> from = new ArrayList<>();
        List<Tensor> into = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            ins.add(activation(n.inputs().get(i)));
            if (!training) {
                continue;
            }
            ExecutionPlan.GradientTarget t = s.inputGradients().get(i);
            if (t instanceof ExecutionPlan.GradientTarget.NodeGradient g) {
                inGrads.add(grads[g.position()]);
            } else if (t instanceof ExecutionPlan.GradientTarget.Scratch sc) {
                Tensor scratch = place(arena, sc.buffer());
                inGrads.add(scratch);
                from.add(scratch);
                into.add(grads[sc.into()]);
            } else {
                inGrads.add(null);
            }
        }
        accumulateFrom[p] = from.toArray(new Tensor[0]);
        accumulateInto[p] = into.toArray(new Tensor[0]);
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
                training ? grads[p] : null, training ? pGrads : null, plan.precision());
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    /**
     * The plan this executor was bound from.
     *
     * @return the plan
     */
    public ExecutionPlan plan() {
        return plan;
    }

    /**
     * The batch size every step takes.
     *
     * @return N
     */
    public int batch() {
        return batch;
    }

    /**
     * Whether this executor was bound for training (with gradients).
     *
     * @return true for a training plan
     */
    public boolean training() {
        return training;
    }

    /**
     * The input batch tensor (N x C x H x W, FP32 NCHW) to upload images into; the next forward pass
     * converts it into the input activation's format where the plan stores that otherwise.
     *
     * @return the tensor, owned by this executor
     */
    public Tensor input() {
        return hostInput != null ? hostInput : activations[0];
    }

    /**
     * Uploads the batch's class indices (exactly {@code batch} of them), for the loss and accuracy of the next step.
     *
     * @param classes one class index per row of the batch; copied
     * @throws IllegalArgumentException if it is null or not {@code batch} long
     */
    public void setLabels(int[] classes) {
        if (classes == null || classes.length != batch) {
            throw new IllegalArgumentException("batch: expected " + batch + " labels. Received "
                    + (classes == null ? "null" : classes.length));
        }
        System.arraycopy(classes, 0, labelsHost, 0, batch);
        backend.upload(labelsHost, labels);
    }

    /** The labels tensor (N, INT32). */
    Tensor labels() {
        return labels;
    }

    /**
     * Output i's logits (the pre-softmax values of its softmax layer).
     *
     * @param i the output's index, 0 for the main output
     * @return the activation tensor, owned by this executor and overwritten by each forward pass
     */
    public Tensor logits(int i) {
        return activation(model.outputs().get(i));
    }

    /** Where the loss writes output i's probabilities. */
    Tensor probs(int i) {
        return probs[i];
    }

    /** Where the loss writes the gradient of output i's logits (a discarded scratch when evaluating). */
    Tensor logitsGrad(int i) {
        return training ? grads[position.get(model.outputs().get(i))] : lossScratch[i];
    }

    /**
     * One training step on the uploaded batch: forward with batch statistics, the weighted loss of
     * every output, backward. A non-finite loss skips the backward (nothing is written to the
     * gradients) and is returned for the caller to report; the accuracy is then not counted (-1).
     *
     * @param step the training step, which seeds dropout
     * @return the loss and the main output's correct count
     * @throws IllegalStateException if this executor is inference-only, or an output's logits are not
     *         N x classes
     */
    public StepResult trainStep(long step) {
        return trainStep(step, 1f);
    }

    /**
     * As {@link #trainStep(long)} with the loss gradient multiplied by {@code lossScale} (dynamic loss
     * scaling, see {@code train.LossScaler}): every gradient the backward pass writes is scaled by it
     * too. The loss returned is unscaled; with a power-of-two scale it is the same bits as unscaled.
     *
     * @param step      the optimizer step this is (seeds dropout)
     * @param lossScale the factor of the loss gradient: a finite power of two
     * @return the unscaled loss and the main output's correct count (-1 for a non-finite loss)
     * @throws IllegalArgumentException where lossScale is not a finite number above 0
     */
    public StepResult trainStep(long step, float lossScale) {
        if (!(lossScale > 0) || Float.isInfinite(lossScale)) {
            throw new IllegalArgumentException("trainStep: lossScale must be finite and above 0. Received " + lossScale);
        }
        forward(true, step);
        double loss = loss(lossScale);
        if (!Double.isFinite(loss)) {
            return new StepResult(loss, -1);
        }
        backward(step);
        return new StepResult(loss, correct());
    }

    /**
     * The uploaded batch in inference mode (moving statistics, no dropout): the main output's loss and accuracy.
     *
     * @return the main output's loss and correct count
     * @throws IllegalStateException if this executor was bound for training
     */
    public StepResult evaluate() {
        if (training) {
            throw new IllegalStateException("This executor was bound for training; evaluate with an inference plan");
        }
        forward(false, 0);
        return new StepResult(loss(), correct());
    }

    /** The plan's losses over the outputs' logits: probabilities, and the logits' gradients when training. */
    private double loss() {
        return loss(1f);
    }

    /** As above with the logits' gradients multiplied by lossScale; the loss returned is not. */
    private double loss(float lossScale) {
        double loss = 0;
        for (ExecutionPlan.Loss l : plan.losses()) {
            int i = l.output();
            if (lossOps[i] == null) {
                throw new IllegalStateException("Executor: output " + i + " of " + model.name() + " has shape "
                        + probs[i].shape() + "; the softmax cross-entropy loss needs N x classes logits");
            }
            // weight * lossScale scales both the gradient and the returned loss; dividing by a power of
            // two undoes it exactly
            loss += (double) backend.softmaxCrossEntropy(lossOps[i], activations[l.position()], labels,
                    (float) l.weight() * lossScale, probs[i], training ? grads[l.position()] : lossScratch[i])
                    / lossScale;
        }
        return loss;
    }

    /** How many rows of the main output's probabilities have their maximum (first, on ties) at the label. */
    private int correct() {
        int k = model.classes();
        backend.download(probs[0], probsHost);
        int right = 0;
        for (int r = 0; r < batch; r++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (probsHost[r * k + c] > probsHost[r * k + best]) {
                    best = c;
                }
            }
            if (best == labelsHost[r]) {
                right++;
            }
        }
        return right;
    }

    /**
     * Forward through the graph from the uploaded input; no loss.
     *
     * @param train true for batch statistics and dropout (training executors only)
     * @param step the training step, which seeds dropout
     * @throws IllegalStateException if {@code train} is asked of an inference-only executor
     */
    public void forward(boolean train, long step) {
        if (train && !training) {
            throw new IllegalStateException("This executor was bound for inference only");
        }
        if (hostInput != null) {
            backend.convert(hostInput, activations[0]);
        }
        for (ExecutionPlan.Step s : plan.steps()) {
            if (!s.runs()) {
                continue; // the model input, or absorbed into a frozen chain
            }
            long t0 = Profiler.ON ? System.nanoTime() : 0;
            bound[s.position()].forward(train, step);
            if (Profiler.ON) {
                Profiler.add(label[s.position()], 0, System.nanoTime() - t0);
            }
        }
    }

    /**
     * Backward through the graph; the loss must have written the gradient of every output's logits.
     * Overwrites the parameter gradients.
     *
     * @param step the step of the forward it follows
     * @throws IllegalStateException if this executor is inference-only
     */
    public void backward(long step) {
        if (!training) {
            throw new IllegalStateException("This executor was bound for inference only");
        }
        for (int p = bound.length - 1; p >= 1; p--) {
            if (!runsBackward[p]) {
                continue; // nothing before it trains: no gradient is read from here on (and no accumulation)
            }
            if (bound[p] == null) {
                continue; // absorbed into a training chain, whose tail ran its backward
            }
            long t0 = Profiler.ON ? System.nanoTime() : 0;
            bound[p].backward(step);
            Tensor[] from = accumulateFrom[p];
            for (int i = 0; i < from.length; i++) {
                backend.accumulate(from[i], accumulateInto[p][i]);
            }
            if (Profiler.ON) {
                Profiler.add(label[p], 1, System.nanoTime() - t0);
            }
        }
    }

    /**
     * The bound batch-norm layers, in graph order.
     *
     * @return their statistics, owned by this executor
     */
    public List<BatchNormStatistics> batchNorms() {
        List<BatchNormStatistics> out = new ArrayList<>();
        for (Bound b : bound) {
            if (b instanceof BatchNormStatistics s) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Bytes of the planned arena.
     *
     * @return {@link ExecutionPlan#arenaBytes()}
     */
    public long plannedBytes() {
        return plan.arenaBytes();
    }

    /**
     * What the arena's buffers would take unshared.
     *
     * @return {@link ExecutionPlan#unsharedBytes()}
     */
    public long unplannedBytes() {
        return plan.unsharedBytes();
    }

    /** Closes the bound layers and every tensor this executor allocated; the weights and gradients stay the caller's. */
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
