package org.convnet4j.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.junit.jupiter.api.Test;

/** Where the CPU backend's thread count and OpenMP wait policy come from, in order of precedence. */
class OpenMpTest {
    private static final java.util.function.DoubleSupplier IDLE = () -> 0;

    @Test
    void processorsOtherProcessesKeepBusyAreLeftToThemButOneThreadAlwaysRuns() {
        assertEquals(new OpenMp.Settings(1, "2 processors, 1 kept busy by other processes", "runtime", "default"),
                OpenMp.decide(Map.of(), null, null, 2, () -> 0.9));
        assertEquals(2, OpenMp.decide(Map.of(), null, null, 2, () -> 0.4).threads(), "under half a processor is noise");
        assertEquals(1, OpenMp.decide(Map.of(), null, null, 2, () -> 7).threads());
        assertEquals(5, OpenMp.decide(Map.of(), null, null, 8, () -> 3.2).threads());
        assertEquals(4, OpenMp.decide(Map.of(), "4", null, 8, () -> 7).threads(), "an explicit count is obeyed");
    }

    @Test
    void busyProcessorsComeFromTheMachinesTicksLessOurOwn() {
        // 4 cpus, 400 ticks elapsed: 300 busy, 100 of them ours -> others keep 2 cpus busy.
        long[] a = {1000, 5000, 50};
        long[] b = {1300, 5400, 150};
        assertEquals(2.0, CpuLoad.othersBusy(a, b, 4, 4), 1e-9);
        assertEquals(1.0, CpuLoad.othersBusy(a, b, 4, 3), 1e-9, "one of the busy cpus is one we may not use");
        assertEquals(0.0, CpuLoad.othersBusy(a, a, 4, 4), 1e-9);
    }
    @Test
    void defaultsAreTheUsableProcessorsAndTheRuntimesOwnPolicy() {
        assertEquals(new OpenMp.Settings(3, "processors available", OpenMp.DEFAULT_WAIT, "default"),
                OpenMp.decide(Map.of(), null, null, 3, () -> 0.2));
    }

    @Test
    void thePropertyWinsOverTheEnvironmentWhichWinsOverTheDefault() {
        Map<String, String> env = Map.of("CONVNET4J_THREADS", "5", "OMP_NUM_THREADS", "7", "OMP_WAIT_POLICY", "ACTIVE");
        assertEquals(new OpenMp.Settings(2, "-Dconvnet4j.threads", "120000", "-Dconvnet4j.omp.wait"),
                OpenMp.decide(env, "2", "120000", 8, IDLE));
        assertEquals(new OpenMp.Settings(5, "CONVNET4J_THREADS", "active", "OMP_WAIT_POLICY"), OpenMp.decide(env, null, null, 8, IDLE));
        assertEquals(new OpenMp.Settings(7, "OMP_NUM_THREADS", "300", "GOMP_SPINCOUNT"),
                OpenMp.decide(Map.of("OMP_NUM_THREADS", "7", "GOMP_SPINCOUNT", "300"), null, null, 8, IDLE));
    }

    @Test
    void badValuesAreRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpenMp.decide(Map.of(), "0", null, 2, IDLE));
        assertTrue(e.getMessage().contains("-Dconvnet4j.threads") && e.getMessage().contains("Received 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OpenMp.decide(Map.of(), null, "sometimes", 2, IDLE));
        assertTrue(e.getMessage().contains("runtime, passive, active or a spin count"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OpenMp.decide(Map.of("CONVNET4J_THREADS", "two"), null, null, 2, IDLE));
    }

    /** Once a CPU backend is open the runtime has started: the settings were exported before it, and are fixed. */
    @Test
    void theRuntimeStartsWithTheSettingsAndKeepsThem() {
        try (Backend b = Backends.create("cpu")) {
            OpenMp.Settings s = OpenMp.settings();
            assertEquals(Integer.toString(s.threads()), OpenMp.getenv("OMP_NUM_THREADS"));
            if (s.waitPolicy().equals("runtime")) {
                assertEquals(null, OpenMp.getenv("OMP_WAIT_POLICY"), "libgomp keeps its own policy");
                assertEquals(null, OpenMp.getenv("GOMP_SPINCOUNT"));
            } else if (s.waitFrom().equals("default") || s.waitFrom().startsWith("-D")) {
                String exported = s.waitPolicy().matches("\\d+") ? OpenMp.getenv("GOMP_SPINCOUNT") : OpenMp.getenv("OMP_WAIT_POLICY");
                assertEquals(s.waitPolicy(), exported.toLowerCase(java.util.Locale.ROOT));
            }
            OpenMp.threads(s.threads()); // what it runs with: nothing to change
            assertThrows(IllegalStateException.class, () -> OpenMp.threads(s.threads() + 1));
        }
    }
}
