package org.convnet4j.backend.cpu;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Compiled primitives by {@link Key}. Building a oneDNN primitive (JIT code generation) costs far
 * more than running it on small shapes, so each is built on first use and kept until the backend closes.
 */
final class PrimitiveCache implements AutoCloseable {
    private final Map<Key, AutoCloseable> primitives = new HashMap<>();
    private boolean closed;

    @SuppressWarnings("unchecked")
    <T extends AutoCloseable> T get(Key key, Supplier<T> build) {
        if (closed) {
            // The engine is gone with the backend: refuse here rather than hand oneDNN a dead engine.
            throw new IllegalStateException("The CPU backend is closed; " + key.op() + " cannot run");
        }
        AutoCloseable p = primitives.get(key);
        if (p == null) {
            p = build.get();
            primitives.put(key, p);
        }
        return (T) p;
    }

    @Override
    public void close() {
        for (AutoCloseable p : primitives.values()) {
            try {
                p.close();
            } catch (Exception e) {
                throw new IllegalStateException("Closing a cached oneDNN primitive failed", e);
            }
        }
        primitives.clear();
        closed = true;
    }
}
