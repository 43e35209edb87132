package org.convnet4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The Java side's kernel table against the CUDA sources, without a GPU: every {@code extern "C"
 * __global__} kernel in native/cuda has exactly the parameter kinds the table says, and every kernel
 * name the CUDA backend launches is in it. (Each launch is checked against the table at run time.)
 */
class KernelSignaturesTest {
    @Test
    void tableMatchesTheCudaSources() {
        Map<String, String> declared = CudaSources.declaredKernels();
        assertTrue(declared.size() >= 28, "kernels found in " + CudaSources.CUDA.toAbsolutePath() + ": " + declared.keySet());
        assertEquals(declared, new TreeMap<>(KernelSignatures.KINDS));
    }

    @Test
    void everyKernelTheBackendLaunchesIsInTheTable() {
        Set<String> launched = new TreeSet<>();
        Pattern literal = Pattern.compile("\"(c4j_\\w+)\"");
        Path cuda = CudaSources.BACKEND.resolve("cuda");
        for (Path java : CudaSources.list(cuda, ".java")) {
            Matcher m = literal.matcher(CudaSources.read(java));
            while (m.find()) {
                launched.add(m.group(1));
            }
        }
        assertTrue(launched.size() >= 25, "kernel names found in " + cuda.toAbsolutePath() + ": " + launched);
        launched.removeAll(KernelSignatures.KINDS.keySet());
        // a family named without its type (Formats.kernel(base, type)): every mixed-precision type
        // must be in the table, and f32 too unless the family is NHWC-only
        launched.removeIf(base -> KernelSignatures.KINDS.containsKey(base + "_bf16")
                && KernelSignatures.KINDS.containsKey(base + "_f16")
                && (base.endsWith("_nhwc") || KernelSignatures.KINDS.containsKey(base + "_f32")));
        assertEquals(Set.of(), launched, "launched but not in the table (and so not in the fatbin)");
    }

    @Test
    void aLaunchWithWrongArgumentsIsRefusedNamingTheKernel() {
        KernelSignatures.check("c4j_add_f32", "PPPL");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelSignatures.check("c4j_add_f32", "PPPI"));
        assertTrue(e.getMessage().contains("c4j_add_f32") && e.getMessage().contains("PPPL"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> KernelSignatures.check("c4j_no_such_kernel", ""));
    }
}
