package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Smoke}, the device run's first step, on every backend here: each of its twelve ops (and on
 * CUDA the two half-precision convolutions) passes
 * its host check (so a BAD on a GPU machine is the device's, not the smoke's). That the checks can
 * fail is shown against the CUDA stub, which computes nothing for most ops (CudaStubTest).
 */
class SmokeTest extends BackendSuite {
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void everyOpMatchesTheHostArithmetic(String name) {
        List<Smoke.Result> results = Smoke.run(backend(name));
        assertEquals(name.equals("cuda") ? 14 : 12, results.size(), "12 ops, and on CUDA the bf16 and fp16 convolutions");
        for (Smoke.Result r : results) {
            assertTrue(r.ok(), r.toString());
            assertTrue(r.toString().startsWith("smoke " + r.op() + ": OK max error "), r.toString());
        }
    }
}
