package org.convnet4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The Java side's kernel table against the CUDA sources, without a GPU: every {@code extern "C"
 * __global__} kernel in native/cuda has exactly the parameter kinds the table says, and every kernel
 * name the CUDA backend launches is in it. (Each launch is checked against the table at run time.)
 */
class KernelSignaturesTest {
    /** The repository root: the working directory is java/ under Maven, the root under gpu-check.sh. */
    private static final Path ROOT = Files.isDirectory(Path.of("native")) ? Path.of(".") : Path.of("..");
    private static final Path CUDA_SOURCES = ROOT.resolve(Path.of("native", "cuda"));
    private static final Path JAVA_SOURCES = ROOT.resolve(Path.of("java", "src", "main", "java", "org", "convnet4j",
            "backend", "cuda"));
    private static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (c4j_\\w+)\\(([^)]*)\\)");

    @Test
    void tableMatchesTheCudaSources() throws IOException {
        Map<String, String> declared = new TreeMap<>();
        for (Path cu : list(CUDA_SOURCES, ".cu")) {
            Matcher m = KERNEL.matcher(Files.readString(cu).replaceAll("\\s+", " "));
            while (m.find()) {
                declared.put(m.group(1), kinds(m.group(1), m.group(2)));
            }
        }
        assertTrue(declared.size() >= 28, "kernels found in " + CUDA_SOURCES.toAbsolutePath() + ": " + declared.keySet());
        assertEquals(declared, new TreeMap<>(KernelSignatures.KINDS));
    }

    @Test
    void everyKernelTheBackendLaunchesIsInTheTable() throws IOException {
        Set<String> launched = new TreeSet<>();
        Pattern literal = Pattern.compile("\"(c4j_\\w+)\"");
        for (Path java : list(JAVA_SOURCES, ".java")) {
            Matcher m = literal.matcher(Files.readString(java));
            while (m.find()) {
                launched.add(m.group(1));
            }
        }
        assertTrue(launched.size() >= 25, "kernel names found in " + JAVA_SOURCES.toAbsolutePath() + ": " + launched);
        launched.removeAll(KernelSignatures.KINDS.keySet());
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

    /** One letter per parameter, from its C type. */
    private static String kinds(String kernel, String params) {
        StringBuilder sb = new StringBuilder();
        for (String p : params.split(",")) {
            String type = p.trim().replaceAll("__restrict__", "").replaceAll("\\s*\\w+$", "").trim();
            if (type.endsWith("*")) {
                sb.append('P');
            } else if (type.equals("int64_t") || type.equals("uint64_t")) {
                sb.append('L');
            } else if (type.equals("int") || type.equals("int32_t")) {
                sb.append('I');
            } else if (type.equals("float")) {
                sb.append('F');
            } else {
                throw new AssertionError(kernel + ": parameter type '" + type + "' of '" + p + "' has no kind");
            }
        }
        return sb.toString();
    }

    private static java.util.List<Path> list(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }
}
