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
 * so that it shows in the Maven log, not only in the surefire reports. The system property
 * {@value #PROPERTY} restricts the run to some backends (scripts/gpu-check.sh runs {@code cuda} alone).
 */
public final class BackendCases {
    /** The system property naming the backends to run, as a comma list; unset means every one. */
    public static final String PROPERTY = "convnet4j.test.backends";

    private static final List<String> ALL = List.of("cpu", "cuda");

    private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

    private BackendCases() {
    }

    /**
     * Source of {@code @MethodSource}: the backend names to run, {@code cpu,cuda} unless the system
     * property {@value #PROPERTY} names fewer (a GPU-only run uses {@code -Dconvnet4j.test.backends=cuda}
     * and then needs no oneDNN on its class path). An unknown name fails loudly rather than running
     * nothing.
     */
    public static Stream<String> names() {
        return selected(System.getProperty(PROPERTY)).stream();
    }

    static List<String> selected(String property) {
        if (property == null || property.isBlank()) {
            return ALL;
        }
        List<String> names = Stream.of(property.split(",")).map(String::trim).filter(n -> !n.isEmpty()).distinct().toList();
        for (String n : names) {
            if (!ALL.contains(n)) {
                throw new IllegalArgumentException(PROPERTY + " names unknown backend '" + n + "'. Expected a comma list of " + String.join(", ", ALL));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException(PROPERTY + " is '" + property + "': it names no backend");
        }
        return names;
    }

    /** Every backend name crossed with every case: arguments (name, case). */
    public static Stream<Arguments> crossed(Stream<?> cases) {
        List<?> all = cases.toList();
        return names().flatMap(name -> all.stream().map(c -> Arguments.of(name, c)));
    }

    /** A new backend of that name, or an aborted (skipped) test when it cannot run here. */
    public static Backend open(String name) {
        if (!selected(System.getProperty(PROPERTY)).contains(name)) {
            // Tests that compare two backends ask for both; a run restricted to one skips them.
            String reason = "not selected by -D" + PROPERTY + "=" + System.getProperty(PROPERTY);
            if (ANNOUNCED.add(name)) {
                System.out.println("SKIPPED [" + name + "] " + reason);
            }
            Assumptions.assumeTrue(false, "backend " + name + " " + reason);
        }
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
