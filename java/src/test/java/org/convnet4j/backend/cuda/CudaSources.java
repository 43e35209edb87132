package org.convnet4j.backend.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The repository's CUDA and Java sources as the tests read them: the kernels' declared parameter
 * kinds straight from the {@code extern "C" __global__} lines of native/cuda/*.cu (independent of
 * {@link KernelSignatures}, which the tests check against them), and the backend's Java files.
 */
final class CudaSources {
    /** The repository root: the working directory is java/ under Maven, the root under gpu-check.sh. */
    static final Path ROOT = Files.isDirectory(Path.of("native")) ? Path.of(".") : Path.of("..");
    static final Path CUDA = ROOT.resolve(Path.of("native", "cuda"));
    static final Path BACKEND = ROOT.resolve(Path.of("java", "src", "main", "java", "org", "convnet4j", "backend"));
    private static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (c4j_\\w+)\\(([^)]*)\\)");

    private CudaSources() {
    }

    /** Every kernel in native/cuda with its kinds: P pointer, L 64-bit int, I int, F float. */
    static Map<String, String> declaredKernels() {
        Map<String, String> declared = new TreeMap<>();
        for (Path cu : list(CUDA, ".cu")) {
            Matcher m = KERNEL.matcher(read(cu).replaceAll("\\s+", " "));
            while (m.find()) {
                declared.put(m.group(1), kinds(m.group(1), m.group(2)));
            }
        }
        return declared;
    }

    static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir.toAbsolutePath(), e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p.toAbsolutePath(), e);
        }
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
                throw new IllegalStateException(kernel + ": unexpected parameter type '" + type + "' in " + params);
            }
        }
        return sb.toString();
    }
}
