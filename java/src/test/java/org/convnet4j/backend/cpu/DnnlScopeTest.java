package org.convnet4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Pointer;
import org.convnet4j.backend.DnnlException;
import org.convnet4j.tensor.Shape;
import org.junit.jupiter.api.Test;

/** The owner of a build's oneDNN handles frees each exactly once, newest first, whatever fails. */
class DnnlScopeTest {

    @Test
    void closingFreesNewestFirstAndASecondCloseFreesNothing() {
        List<String> freed = new ArrayList<>();
        DnnlScope s = new DnnlScope("test");
        s.own("a", freed::add);
        s.own("b", freed::add);
        s.own("c", freed::add);
        s.close();
        assertEquals(List.of("c", "b", "a"), freed);
        s.close();
        assertEquals(List.of("c", "b", "a"), freed, "a second close frees nothing again");
    }

    @Test
    void aReleasedHandleIsLeftToItsNewOwner() {
        List<String> freed = new ArrayList<>();
        try (DnnlScope s = new DnnlScope("test")) {
            s.own("kept", freed::add);
            String handed = s.own("handed", freed::add);
            assertSame(handed, s.release(handed));
            assertThrows(IllegalStateException.class, () -> s.release("never owned"));
        }
        assertEquals(List.of("kept"), freed);
    }

    @Test
    void aCreateThatFailsLeavesTheHandlesMadeBeforeItFreed() {
        Pointer[] made = new Pointer[2];
        DnnlException e = assertThrows(DnnlException.class, () -> {
            try (DnnlScope s = new DnnlScope("build(test)")) {
                made[0] = s.plain(Shape.of(2, 3));
                made[1] = s.postOps(true, true);
                assertFalse(made[0].isNull());
                assertFalse(made[1].isNull());
                // An unknown format tag: oneDNN rejects it, so there is no third handle to record.
                s.withTag(new long[] {2, 3}, 123456, dnnl.dnnl_f32);
            }
        });
        assertTrue(e.getMessage().contains("build(test)"), e.getMessage());
        assertTrue(made[0].isNull(), "the memory descriptor made before the failure is freed");
        assertTrue(made[1].isNull(), "the attributes made before the failure are freed");
    }

    @Test
    void noPostOpsMeansNoAttributes() {
        try (DnnlScope s = new DnnlScope("test")) {
            assertNull(s.postOps(false, false));
        }
    }

    @Test
    void oneFailingFreeDoesNotStopTheOthers() {
        List<String> freed = new ArrayList<>();
        DnnlScope s = new DnnlScope("test");
        s.own("a", freed::add);
        s.own("b", h -> {
            throw new IllegalStateException("free " + h);
        });
        s.own("c", freed::add);
        IllegalStateException e = assertThrows(IllegalStateException.class, s::close);
        assertEquals("free b", e.getMessage());
        assertEquals(List.of("c", "a"), freed);
        s.close();
        assertEquals(List.of("c", "a"), freed);
    }
}
