package org.convnet4j.graph;

import static org.convnet4j.graph.ActivationFn.RELU;
import static org.convnet4j.graph.ActivationFn.SOFTMAX;
import static org.convnet4j.ops.Padding.SAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.convnet4j.graph.ExecutionPlan.Accumulation;
import org.convnet4j.graph.ExecutionPlan.Buffer;
import org.convnet4j.graph.ExecutionPlan.GradientTarget;
import org.convnet4j.graph.ExecutionPlan.Placement;
import org.convnet4j.graph.ExecutionPlan.Step;
import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.Add;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Concatenate;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.graph.layers.GlobalAveragePooling2D;
import org.convnet4j.graph.layers.Input;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The execution plan on its own, with no backend and no memory: liveness (an activation from its
 * producer to its last reader, a gradient from its first writer's backward to its own), the arena's
 * one invariant (buffers alive at the same time never share a byte), fan-in accumulation, the loss
 * steps, and a frozen plan's absorbed members and in-place identity shortcut. Every zoo model's plans
 * are checked against the executor of the previous design in zoo's ZooPlanTest.
 */
class ExecutionPlanTest {

    static Stream<ExecutionPlan> plans() {
        List<ExecutionPlan> out = new ArrayList<>();
        List<Model> models = new ArrayList<>();
        Stream.of(GraphGradientTest.everyLayer(), GraphGradientTest.twoOutputs(), GraphGradientTest.sameNodeTwice(),
                GraphGradientTest.layersReadingTheInput()).forEach(c -> models.add(c.model()));
        models.add(residual());
        models.add(TestModels.lenet5WithBatchNormAndDropout(10, 0.5));
        for (Model m : models) {
            for (int batch : new int[] {1, 7}) {
                out.add(ExecutionPlan.training(m, batch));
                out.add(ExecutionPlan.inference(m, batch));
                out.add(frozen(m, batch));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plans")
    void arenaBuffersAliveTogetherNeverShareBytes(ExecutionPlan plan) {
        List<Buffer> arena = arenaBuffers(plan);
        for (int i = 0; i < arena.size(); i++) {
            for (int j = i + 1; j < arena.size(); j++) {
                Placement.Arena a = (Placement.Arena) arena.get(i).placement();
                Placement.Arena b = (Placement.Arena) arena.get(j).placement();
                boolean together = a.first() <= b.last() && b.first() <= a.last();
                boolean shareBytes = a.offset() < b.offset() + arena.get(j).bytes() && b.offset() < a.offset() + arena.get(i).bytes();
                assertFalse(together && shareBytes, plan + ": " + arena.get(i) + " and " + arena.get(j));
            }
        }
        long peak = 0;
        for (int step = 0; step <= plan.steps().size(); step++) {
            long live = 0;
            for (Buffer b : arena) {
                Placement.Arena a = (Placement.Arena) b.placement();
                live += a.first() <= step && step <= a.last() ? b.bytes() : 0;
            }
            peak = Math.max(peak, live);
        }
        assertTrue(peak <= plan.arenaBytes() && plan.arenaBytes() <= plan.unsharedBytes(),
                plan + ": peak live " + peak + ", arena " + plan.arenaBytes() + ", unshared " + plan.unsharedBytes());
    }

    @Test
    void anInferenceActivationLivesFromItsProducerToItsLastReader() {
        Model m = GraphGradientTest.everyLayer().model();
        ExecutionPlan plan = ExecutionPlan.inference(m, 4);
        int last = m.nodes().size() - 1;
        for (Step s : plan.steps()) {
            Placement.Arena a = assertInstanceOf(Placement.Arena.class, s.activation().placement(), s.toString());
            int lastReader = m.outputs().contains(s.node()) ? last : s.position();
            for (Node c : m.consumers(s.node())) {
                lastReader = Math.max(lastReader, m.nodes().indexOf(c));
            }
            assertEquals(s.position(), a.first(), s.toString());
            assertEquals(lastReader, a.last(), s.toString());
            assertEquals(null, s.gradient());
            assertEquals(s.position() > 0, s.runs());
        }
        assertEquals(0, plan.accumulations().size());
    }

    @Test
    void aGradientLivesFromItsFirstWritersBackwardToItsOwn() {
        Model m = GraphGradientTest.everyLayer().model();
        ExecutionPlan plan = ExecutionPlan.training(m, 4);
        int last = m.nodes().size() - 1;
        for (Step s : plan.steps()) {
            assertInstanceOf(Placement.Dedicated.class, s.activation().placement(), "backward reads every activation");
            if (s.position() == 0) {
                assertEquals(null, s.gradient(), "no layer here needs the input's gradient");
                continue;
            }
            Placement.Arena a = (Placement.Arena) s.gradient().placement();
            int first = m.outputs().contains(s.node()) ? 0 : Integer.MAX_VALUE;
            for (Node c : m.consumers(s.node())) {
                first = Math.min(first, 1 + last - m.nodes().indexOf(c));
            }
            assertEquals(first, a.first(), s.toString());
            assertEquals(1 + last - s.position(), a.last(), s.toString());
        }
    }

    /** c1 read by three convolutions: the first to run backward writes its gradient, the other two accumulate. */
    @Test
    void aFannedOutNodeHasOneDirectWriterAndTheOthersAccumulate() {
        Node in = Input.image(6, 6, 2);
        Node c1 = new Conv2D(3, 3).padding(SAME).name("c1").apply(in);
        Node a = new Conv2D(2, 1).name("a").apply(c1);
        Node b = new Conv2D(2, 1).name("b").apply(c1);
        Node c = new Conv2D(2, 1).name("c").apply(c1);
        Node cat = new Concatenate().apply(a, b, c);
        Model m = Model.of("fan_out", in, new Dense(3).activation(SOFTMAX).apply(new Flatten().apply(cat)));
        ExecutionPlan plan = ExecutionPlan.training(m, 2);
        int q = m.nodes().indexOf(c1);
        List<Node> direct = new ArrayList<>();
        List<Integer> scratchWriters = new ArrayList<>();
        for (Node reader : List.of(a, b, c)) {
            GradientTarget t = plan.step(m.nodes().indexOf(reader)).inputGradients().get(0);
            if (t instanceof GradientTarget.NodeGradient g) {
                assertEquals(q, g.position());
                direct.add(reader);
            } else {
                GradientTarget.Scratch sc = assertInstanceOf(GradientTarget.Scratch.class, t);
                assertEquals(q, sc.into());
                assertEquals(m.nodes().get(q).batchShape(2), sc.buffer().shape());
                scratchWriters.add(m.nodes().indexOf(reader));
            }
        }
        assertEquals(List.of(c), direct, "the last reader's backward runs first and writes directly");
        List<Accumulation> acc = plan.accumulations();
        assertEquals(2, acc.size(), acc.toString());
        assertEquals(List.of(Math.max(scratchWriters.get(0), scratchWriters.get(1)),
                Math.min(scratchWriters.get(0), scratchWriters.get(1))), List.of(acc.get(0).after(), acc.get(1).after()),
                "in backward order");
        for (Accumulation x : acc) {
            assertEquals(q, x.into());
            Placement.Arena s = (Placement.Arena) x.scratch().placement();
            assertEquals(s.first(), s.last(), "a scratch lives for its writer's backward step only");
        }
    }

    @Test
    void aLayerReadingOneNodeTwiceGetsOneBufferPerInputSlot() {
        Model m = GraphGradientTest.sameNodeTwice().model();
        ExecutionPlan plan = ExecutionPlan.training(m, 3);
        Step add = plan.steps().stream().filter(s -> s.node().layer() instanceof Add).findFirst().orElseThrow();
        List<GradientTarget> t = add.inputGradients();
        assertInstanceOf(GradientTarget.Scratch.class, t.get(0));
        assertInstanceOf(GradientTarget.NodeGradient.class, t.get(1));
        assertEquals(1, plan.accumulationsAfter(add.position()).size());
    }

    @Test
    void trainingLossesCoverEveryOutputWithItsWeightAndInferenceTheMainOne() {
        Model m = GraphGradientTest.twoOutputs().model();
        List<ExecutionPlan.Loss> train = ExecutionPlan.training(m, 2).losses();
        assertEquals(2, train.size());
        assertEquals(1.0, train.get(0).weight());
        assertEquals(0.3, train.get(1).weight());
        assertEquals(m.nodes().indexOf(m.outputs().get(1)), train.get(1).position());
        List<ExecutionPlan.Loss> infer = ExecutionPlan.inference(m, 2).losses();
        assertEquals(List.of(new ExecutionPlan.Loss(0, m.nodes().indexOf(m.outputs().get(0)), 1)), infer);
    }

    @Test
    void aFrozenPlanAbsorbsChainMembersAndWritesTheIdentityShortcutOverItsResidual() {
        Model m = residual();
        ExecutionPlan plan = frozen(m, 2);
        Map<String, Step> byName = new HashMap<>();
        plan.steps().forEach(s -> byName.put(s.node().layer().name(), s));
        for (String absorbed : List.of("stem_bn", "a1_bn", "a2_bn", "a_add", "b2_bn", "b_add")) {
            Step s = byName.get(absorbed);
            assertFalse(s.runs(), absorbed);
            assertInstanceOf(Placement.Absorbed.class, s.activation().placement(), absorbed);
        }
        assertTrue(byName.get("a2").runs() && byName.get("b1").runs() && byName.get("b2").runs());
        // Each block adds a residual that nothing reads once its chain runs, so its output takes over the
        // residual's buffer: a_out writes over stem_relu's, and b_out over a_out's, which is stem_relu's.
        for (String over : List.of("a_out", "b_out")) {
            Placement.SameAs same = assertInstanceOf(Placement.SameAs.class, byName.get(over).activation().placement(), over);
            assertEquals(byName.get("stem_relu").position(), same.position(), over);
        }
        assertInstanceOf(Placement.Arena.class, byName.get("stem_relu").activation().placement());
        assertEquals(5, plan.chains().size(), plan.chains().toString());
    }

    @Test
    void aBatchOfZeroIsRefused() {
        Model m = residual();
        assertThrows(IllegalArgumentException.class, () -> ExecutionPlan.training(m, 0));
        assertThrows(IllegalArgumentException.class, () -> ExecutionPlan.inference(m, -1));
    }

    // ---- helpers

    /** A stem chain and two identity blocks, a and b, as ResNet's (small); b1 is a conv with its own relu. */
    static Model residual() {
        Node in = Input.image(8, 8, 3);
        Node x = new Conv2D(4, 3).padding(SAME).name("stem").apply(in);
        x = new Activation(RELU).name("stem_relu").apply(new BatchNormalization().name("stem_bn").apply(x));
        Node y = new Conv2D(4, 1).name("a1").apply(x);
        y = new Activation(RELU).name("a1_relu").apply(new BatchNormalization().name("a1_bn").apply(y));
        y = new BatchNormalization().name("a2_bn").apply(new Conv2D(4, 3).padding(SAME).name("a2").apply(y));
        Node block = new Activation(RELU).name("a_out").apply(new Add().name("a_add").apply(x, y));
        y = new Conv2D(4, 1).activation(RELU).name("b1").apply(block);
        y = new BatchNormalization().name("b2_bn").apply(new Conv2D(4, 3).padding(SAME).name("b2").apply(y));
        y = new Activation(RELU).name("b_out").apply(new Add().name("b_add").apply(block, y));
        Node out = new Dense(3).activation(SOFTMAX).name("out").apply(new GlobalAveragePooling2D().apply(y));
        return Model.of("residual", in, out);
    }

    /** A frozen plan with every chain Fusion finds, all activations NCHW (the layouts need backend convolutions). */
    static ExecutionPlan frozen(Model m, int batch) {
        Map<Node, Integer> position = new HashMap<>();
        for (int i = 0; i < m.nodes().size(); i++) {
            position.put(m.nodes().get(i), i);
        }
        return ExecutionPlan.frozen(m, batch, Fusion.plan(m, position), Map.of());
    }

    /** Every buffer the plan puts in the arena: activations, gradients, fan-in scratch. */
    static List<Buffer> arenaBuffers(ExecutionPlan plan) {
        List<Buffer> out = new ArrayList<>();
        for (Step s : plan.steps()) {
            for (Buffer b : new Buffer[] {s.activation(), s.gradient()}) {
                if (b != null && b.placement() instanceof Placement.Arena) {
                    out.add(b);
                }
            }
        }
        plan.accumulations().forEach(a -> out.add(a.scratch()));
        return out;
    }
}
