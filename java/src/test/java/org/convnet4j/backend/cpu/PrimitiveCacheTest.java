package org.convnet4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.tensor.Shape;
import org.junit.jupiter.api.Test;

/** Primitives are found again by equal keys within a pass, never across passes, and closed once with the cache. */
class PrimitiveCacheTest {
    /** Stands in for a compiled primitive: remembers its key and how often it was closed. */
    private static final class Built implements AutoCloseable {
        final Object key;
        int closed;

        Built(Object key) {
            this.key = key;
        }

        @Override
        public void close() {
            closed++;
        }
    }

    private record Variant(Conv2dOp op, boolean relu) {
    }

    @Test
    void equalOpsShareOnePrimitiveAndEachPassBuildsItsOwn() {
        List<Object> builds = new ArrayList<>();
        PrimitiveCache cache = new PrimitiveCache();
        PrimitiveCache.Table<Conv2dOp, Built> forward = cache.table(k -> {
            builds.add(k);
            return new Built(k);
        });
        PrimitiveCache.Table<Conv2dOp, Built> backward = cache.table(Built::new);
        Conv2dOp a = Conv2dOp.of(Shape.of(1, 3, 8, 8), 4, 3);
        Conv2dOp b = Conv2dOp.of(Shape.of(1, 3, 8, 8), 4, 3);
        assertNotSame(a, b);

        Built first = forward.get(a);
        assertSame(first, forward.get(b), "an equal op record finds the primitive built for the first");
        assertEquals(1, builds.size());
        assertNotSame(first, backward.get(a), "another pass of the same op is another primitive");
        assertNotSame(first, forward.get(Conv2dOp.of(Shape.of(2, 3, 8, 8), 4, 3)), "another shape, another primitive");
    }

    @Test
    void aVariantInTheKeyIsItsOwnPrimitive() {
        PrimitiveCache cache = new PrimitiveCache();
        PrimitiveCache.Table<Variant, Built> forward = cache.table(Built::new);
        Conv2dOp op = Conv2dOp.of(Shape.of(1, 3, 8, 8), 4, 3);
        Built plain = forward.get(new Variant(op, false));
        Built relu = forward.get(new Variant(op, true));
        assertNotSame(plain, relu);
        assertSame(relu, forward.get(new Variant(op, true)));
    }

    @Test
    void closingClosesEveryPrimitiveOnceAndRefusesLaterLookups() {
        PrimitiveCache cache = new PrimitiveCache();
        PrimitiveCache.Table<String, Built> one = cache.table(Built::new);
        PrimitiveCache.Table<String, Built> two = cache.table(Built::new);
        Built x = one.get("x");
        Built y = two.get("x");
        cache.close();
        assertEquals(1, x.closed);
        assertEquals(1, y.closed);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> one.get("x"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        cache.close();
        assertEquals(1, x.closed, "a second close closes nothing again");
    }

    @Test
    void aBuildThatFailsCachesNothing() {
        PrimitiveCache cache = new PrimitiveCache();
        int[] attempts = {0};
        PrimitiveCache.Table<String, Built> t = cache.table(k -> {
            if (attempts[0]++ == 0) {
                throw new IllegalStateException("first build fails");
            }
            return new Built(k);
        });
        assertThrows(IllegalStateException.class, () -> t.get("k"));
        Built b = t.get("k");
        assertSame(b, t.get("k"));
        assertEquals(2, attempts[0]);
        cache.close();
    }
}
