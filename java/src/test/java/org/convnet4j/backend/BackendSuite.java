package org.convnet4j.backend;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the per-op test classes: one backend of each name per test class, opened on first use and
 * closed after the class, because building a backend (and its primitive caches) per test would
 * dominate the suite's time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BackendSuite {
    private final Map<String, Backend> open = new LinkedHashMap<>();

    /** This class's backend of that name; aborts the test (a skip) when it cannot run here. */
    protected Backend backend(String name) {
        Backend b = open.get(name);
        if (b == null) {
            b = BackendCases.open(name);
            open.put(name, b);
        }
        return b;
    }

    /** A scope whose tensors come from this class's backend of that name. */
    protected TensorScope scope(String name) {
        return new TensorScope(backend(name));
    }

    @AfterAll
    final void closeBackends() {
        open.values().forEach(Backend::close);
        open.clear();
    }
}
