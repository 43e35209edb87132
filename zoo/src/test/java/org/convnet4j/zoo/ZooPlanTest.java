package org.convnet4j.zoo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.graph.ExecutionPlan;
import org.convnet4j.graph.Executor;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Weights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every zoo model's execution plans at batch 1 and 16 fit in the arena the executor of the previous
 * design (before ExecutionPlan, commit d7a9c36) planned for them, and the peak arena sizes are printed.
 * The bounds below are that executor's {@code plannedBytes()}, measured on the CPU backend with
 * {@code new Executor(model, weights, grads, batch)}, {@code new Executor(model, weights, null, batch)}
 * and {@code Executor.frozen(model, weights, batch)}: training (gradients), inference and frozen
 * inference (activations). ExecutionPlanTest checks each plan's placement itself.
 */
class ZooPlanTest {
    /** model name -> {batch 1: train, infer, frozen; batch 16: train, infer, frozen}, bytes. */
    private static final Map<String, long[]> BEFORE = Map.of(
            "lenet5", new long[] {23552, 23552, 23552, 376320, 376320, 376320},
            "alexnet", new long[] {1441536, 1779968, 1779968, 23064576, 28479168, 28479168},
            "alexnet8", new long[] {786432, 786432, 786432, 12582912, 12582912, 12582912},
            "vgg16", new long[] {25690112, 25690112, 25690112, 411041792, 411041792, 411041792},
            "vgg16-cifar", new long[] {524288, 524288, 524288, 8388608, 8388608, 8388608},
            "googlenet", new long[] {3788032, 3788032, 3788032, 60608512, 60608512, 60608512},
            "resnet50", new long[] {9633792, 9633792, 6538240, 154140672, 154140672, 104611840},
            "inception-v3", new long[] {11063808, 11063808, 8297856, 177020928, 177020928, 132765696});
    private static final int[] BATCHES = {1, 16};

    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Backends.create("cpu");
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static Stream<Arguments> models() {
        return Zoo.all().stream().map(s -> Arguments.of(s.name()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void plansFitWhereThePreviousExecutorsDid(String name) {
        long[] before = BEFORE.get(name);
        assertTrue(before != null, "no bound recorded for " + name + ": measure it and add it to BEFORE");
        Model m = Zoo.get(name).build();
        try (Weights w = new Weights(m, backend)) {
            for (int i = 0; i < BATCHES.length; i++) {
                int batch = BATCHES[i];
                long train = ExecutionPlan.training(m, batch).arenaBytes();
                long infer = ExecutionPlan.inference(m, batch).arenaBytes();
                long frozen;
                try (Executor f = Executor.frozen(m, w, batch)) {
                    frozen = f.plan().arenaBytes();
                }
                System.out.printf("plan %-12s batch %2d: peak arena training %,d B, inference %,d B, frozen %,d B%n",
                        name, batch, train, infer, frozen);
                long[] now = {train, infer, frozen};
                String[] kind = {"training", "inference", "frozen"};
                for (int k = 0; k < 3; k++) {
                    assertTrue(now[k] <= before[3 * i + k], name + " batch " + batch + " " + kind[k] + ": " + now[k]
                            + " bytes, the previous executor planned " + before[3 * i + k]);
                }
            }
        }
    }
}
