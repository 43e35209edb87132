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
 * jars are made (the root pom's maven-javadoc-plugin runs doclint "all" with failOnWarnings): no
 * error and no warning at all, a missing comment or tag included. Every public and protected type,
 * constructor, method, field and enum constant is documented, with its {@code @param},
 * {@code @return} and {@code @throws} tags; anything added must be too. (The API started at 1476
 * missing comments and tags; they were documented package by package.)
 */
class JavadocTest {
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
        // Every diagnostic but notes, grouped by package, so that a failure says where to look.
        Map<String, List<String>> problems = new TreeMap<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.NOTE) {
                continue;
            }
            String where = d.getSource() == null ? "" : d.getSource().toUri().getPath()
                    .replace(root.toAbsolutePath().normalize() + "/", "") + ":" + d.getLineNumber() + ": ";
            problems.computeIfAbsent(packageOf(d), p -> new ArrayList<>())
                    .add(d.getKind().toString().toLowerCase(Locale.ROOT) + " " + where + d.getMessage(Locale.ROOT));
        }
        int count = problems.values().stream().mapToInt(List::size).sum();
        String perPackage = problems.entrySet().stream()
                .map(e -> e.getValue().size() + " in " + (e.getKey().isEmpty() ? "(no source)" : e.getKey()) + ":\n  "
                        + String.join("\n  ", e.getValue()))
                .collect(Collectors.joining("\n"));
        assertTrue(ok && count == 0, "javadoc -Xdoclint:all reports " + count + " problem(s). Document every public and"
                + " protected type and member, with its @param, @return and @throws tags (\"no comment\", \"no @param\""
                + " and the like are missing ones). Per package:\n" + perPackage + "\n" + log);
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
