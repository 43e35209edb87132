package org.convnet4j.backend.cuda;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The per-op plans of one cuDNN family (descriptors, chosen algorithms), built on first use of an op
 * record and kept until the backend closes, when their descriptors are destroyed.
 */
final class Plans<K, P extends Plans.Plan> implements AutoCloseable {
    /** A plan owns the descriptors it created. */
    abstract static class Plan {
        final Descriptors descriptors;

        Plan(Object op) {
            descriptors = new Descriptors(op);
        }
    }

    private final Map<K, P> plans = new HashMap<>();
    private final Function<K, P> build;

    Plans(Function<K, P> build) {
        this.build = build;
    }

    P get(K op) {
        P p = plans.get(op);
        if (p == null) {
            p = build.apply(op);
            plans.put(op, p);
        }
        return p;
    }

    @Override
    public void close() {
        for (P p : plans.values()) {
            p.descriptors.close();
        }
        plans.clear();
    }
}
