package org.convnet4j.backend;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.convnet4j.backend.cuda.CudaBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The backends every suite in this package runs on, and how a test gets one. A backend that cannot run
 * here is skipped, not failed, and the skip is printed once per JVM as {@code SKIPPED [cuda] <reason>}
 * so that it shows in the Maven log, not only in the surefire reports.
 */
public final class BackendCases {
    private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

    private BackendCases() {
    }

    /** Source of {@code @MethodSource}: every backend name. */
    public static Stream<String> names() {
        return Stream.of("cpu", "cuda");
    }

    /** Every backend name crossed with every case: arguments (name, case). */
    public static Stream<Arguments> crossed(Stream<?> cases) {
        List<?> all = cases.toList();
        return names().flatMap(name -> all.stream().map(c -> Arguments.of(name, c)));
    }

    /** A new backend of that name, or an aborted (skipped) test when it cannot run here. */
    public static Backend open(String name) {
        Backends.Availability a = Backends.probe(name);
        if (!a.available()) {
            if (ANNOUNCED.add(name)) {
                System.out.println("SKIPPED [" + name + "] " + a.reason());
            }
            Assumptions.assumeTrue(false, "backend " + name + " unavailable: " + a.reason());
        }
        // The suite compares with float64 references at FP32 tolerances: CUDA runs in strict FP32
        // (TF32 tensor-core math off), whatever the environment's default.
        return name.equals("cuda") ? new CudaBackend(0, false) : Backends.create(name);
    }
}
