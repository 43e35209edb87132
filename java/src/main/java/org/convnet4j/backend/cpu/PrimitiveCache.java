package org.convnet4j.backend.cpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Compiled primitives, kept until the backend closes. Building a oneDNN primitive (JIT code
 * generation) costs far more than running it on small shapes, so each is built on first use and then
 * reused.
 *
 * <p>One {@link Table} per pass: an op family makes one for each primitive it builds, typed by its
 * key (the op record itself, or a small record naming the op and its variant, such as a fused relu)
 * and by what it builds, so a lookup needs no cast and equal keys of different passes never meet.
 */
final class PrimitiveCache implements AutoCloseable {
    private final List<Table<?, ?>> tables = new ArrayList<>();
    private boolean closed;

    /** A new table whose primitives {@code build} makes from their keys, owned and closed by this cache. */
    <K, P extends AutoCloseable> Table<K, P> table(Function<? super K, ? extends P> build) {
        Table<K, P> t = new Table<>(build);
        tables.add(t);
        return t;
    }

    /** The primitives of one pass by key; keys are compared with equals, so an equal op record finds the same one. */
    final class Table<K, P extends AutoCloseable> {
        private final Map<K, P> primitives = new HashMap<>();
        private final Function<? super K, ? extends P> build;

        private Table(Function<? super K, ? extends P> build) {
            this.build = build;
        }

        /** The primitive of {@code key}, built on first use. */
        P get(K key) {
            if (closed) {
                // The engine is gone with the backend: refuse here rather than hand oneDNN a dead engine.
                throw new IllegalStateException("The CPU backend is closed; " + key + " cannot run");
            }
            P p = primitives.get(key);
            if (p == null) {
                p = build.apply(key);
                primitives.put(key, p);
            }
            return p;
        }

        private void close() {
            for (P p : primitives.values()) {
                try {
                    p.close();
                } catch (Exception e) {
                    throw new IllegalStateException("Closing a cached oneDNN primitive failed", e);
                }
            }
            primitives.clear();
        }
    }

    @Override
    public void close() {
        for (Table<?, ?> t : tables) {
            t.close();
        }
        closed = true;
    }
}
