package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The -Dconvnet4j.test.backends comma list that restricts the suite to some backends. */
class BackendSelectionTest {
    @Test
    void unsetOrBlankMeansEveryBackend() {
        assertEquals(List.of("cpu", "cuda"), BackendCases.selected(null));
        assertEquals(List.of("cpu", "cuda"), BackendCases.selected(" "));
    }

    @Test
    void aCommaListIsTrimmedAndDeduplicated() {
        assertEquals(List.of("cuda"), BackendCases.selected("cuda"));
        assertEquals(List.of("cuda", "cpu"), BackendCases.selected(" cuda, cpu ,cuda"));
    }

    @Test
    void anUnknownOrEmptySelectionFailsLoudly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BackendCases.selected("gpu"));
        assertTrue(e.getMessage().contains("'gpu'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BackendCases.selected(","));
    }
}
