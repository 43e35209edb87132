package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Runs native/test/kernel_math_test, which CMake builds beside the library: the index and
 * per-element math that the CUDA kernels share with the CPU loops (include/convnet4j), checked on
 * the host against direct formulas, so that the GPU's arithmetic is tested on every build.
 */
class KernelMathTest {
    /** The native build folder: java/target/native under Maven (working directory java/). */
    private static final Path BINARY = Path.of("target", "native", "kernel_math_test");

    @Test
    void sharedKernelMathPassesItsHostChecks() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(BINARY), () -> "SKIPPED no " + BINARY.toAbsolutePath() + " (built by CMake with native/)");
        Process p = new ProcessBuilder(BINARY.toAbsolutePath().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kernel_math_test did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("all checks passed"), out);
    }
}
