package org.convnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Javadoc of core and zoo's public API under {@code -Xdoclint:all}, as the release profile's javadoc
 * jars are made: no doclint error and no warning other than a missing comment or tag anywhere, none
 * at all in the packages listed as {@link #COMPLETE}, and never more missing ones than
 * {@link #MISSING_AT_MOST} elsewhere. Documenting a package moves it to COMPLETE and lowers the
 * bound; the bound reaches 0 when the whole API is documented (it started at 1476 warnings).
 */
class JavadocTest {
    /** Packages whose every public and protected type and member is documented, tags included. */
    static final Set<String> COMPLETE = Set.of(
            "org.convnet4j.backend.cpu",
            "org.convnet4j.backend.cuda",
            "org.convnet4j.cli",
            "org.convnet4j.data",
            "org.convnet4j.graph.layers",
            "org.convnet4j.io",
            "org.convnet4j.memory",
            "org.convnet4j.nativelib",
            "org.convnet4j.onnx",
            "org.convnet4j.report",
            "org.convnet4j.tensor",
            "org.convnet4j.zoo");

    /** Missing comments and tags allowed outside {@link #COMPLETE}: only ever lowered. */
    static final int MISSING_AT_MOST = 623;

    @TempDir
    Path tmp;

    @Test
    void thePublicApiPassesDoclint() throws IOException {
        Path root = DocsExamplesTest.repositoryRoot();
        List<Path> sources = new ArrayList<>();
        for (Path dir : List.of(root.resolve("java/src/main/java"), root.resolve("zoo/src/main/java"))) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(p -> p.toString().endsWith(".java")).sorted().forEach(sources::add);
            }
        }
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter log = new StringWriter();
        boolean ok;
        try (StandardJavaFileManager files = javadoc.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            // Core's generated ONNX messages come from its classes on the class path, not as sources.
            ok = javadoc.getTask(log, files, diagnostics, null, List.of("-Xdoclint:all", "-quiet",
                    "-Xmaxwarns", "100000", "-Xmaxerrs", "100000", "-classpath", System.getProperty("java.class.path"),
                    "-d", tmp.toString()), files.getJavaFileObjectsFromPaths(sources)).call();
        }
        Map<String, List<String>> missing = new TreeMap<>();
        List<String> other = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.NOTE) {
                continue;
            }
            String message = d.getMessage(Locale.ROOT);
            String where = d.getSource() == null ? "" : d.getSource().toUri().getPath()
                    .replace(root.toAbsolutePath().normalize() + "/", "") + ":" + d.getLineNumber() + ": ";
            if (d.getKind() == Diagnostic.Kind.WARNING && isMissing(message)) {
                missing.computeIfAbsent(packageOf(d), p -> new ArrayList<>()).add(where + message);
            } else {
                other.add(d.getKind() + " " + where + message);
            }
        }
        assertTrue(ok && other.isEmpty(), "javadoc -Xdoclint:all reports more than missing comments:\n"
                + String.join("\n", other) + "\n" + log);
        List<String> inComplete = missing.entrySet().stream().filter(e -> COMPLETE.contains(e.getKey()))
                .flatMap(e -> e.getValue().stream()).toList();
        assertTrue(inComplete.isEmpty(), "undocumented API in a package listed as complete:\n" + String.join("\n", inComplete));
        int count = missing.values().stream().mapToInt(List::size).sum();
        String perPackage = missing.entrySet().stream().map(e -> e.getValue().size() + " " + e.getKey())
                .collect(Collectors.joining("\n"));
        assertTrue(count <= MISSING_AT_MOST, "missing comments or tags: " + count + ", more than the "
                + MISSING_AT_MOST + " allowed; document what you add. Per package:\n" + perPackage);
        System.out.println("JavadocTest: " + count + " missing comments or tags left (at most " + MISSING_AT_MOST
                + "):\n" + perPackage);
    }

    /** doclint's "missing" group: what {@code -Xdoclint:all,-missing} leaves out. */
    private static boolean isMissing(String message) {
        return message.startsWith("no comment") || message.startsWith("no @param") || message.startsWith("no @return")
                || message.startsWith("no @throws") || message.startsWith("no main description")
                || message.startsWith("use of default constructor");
    }

    private static String packageOf(Diagnostic<? extends JavaFileObject> d) {
        if (d.getSource() == null) {
            return "";
        }
        String path = d.getSource().toUri().getPath();
        int src = path.lastIndexOf("/src/main/java/");
        return path.substring(src + "/src/main/java/".length(), path.lastIndexOf('/')).replace('/', '.');
    }
}
