package org.convnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every ```java block in README.md and docs/*.md is a complete compilation unit (its imports and one
 * public class) that compiles against core and zoo as shown, so the documentation cannot drift from
 * the API unseen. Blocks whose {@code main} reads no arguments are cheap by rule (a summary, one
 * convolution, an ONNX round trip of LeNet-5) and also run here; those that need a data set or a
 * checkpoint ({@code Train}, {@code Classify}) run in {@link ReadmeExampleTest}.
 */
class DocsExamplesTest {
    private static final Pattern PUBLIC_TYPE = Pattern.compile("(?m)^public (?:final )?(?:class|record|interface) (\\w+)");

    /** One ```java block: where it is, for messages, and its text. */
    record Block(String where, String source) {
        String className() {
            Matcher m = PUBLIC_TYPE.matcher(source);
            assertTrue(m.find(), where + ": a ```java block must be a complete file with one public class:\n" + source);
            return m.group(1);
        }

        boolean runsWithoutArguments() {
            return source.contains("public static void main(String[] args)") && !source.contains("args[");
        }
    }

    @TempDir
    Path tmp;

    static Path repositoryRoot() {
        // Maven runs the zoo's tests in zoo/; the documentation is the repository's.
        return Files.isRegularFile(Path.of("..", "README.md")) ? Path.of("..") : Path.of(".");
    }

    static List<Block> blocks() throws IOException {
        Path root = repositoryRoot();
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Block> blocks = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).strip().equals("```java")) {
                    continue;
                }
                int start = i + 1;
                StringBuilder source = new StringBuilder();
                for (i = start; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                    source.append(lines.get(i)).append('\n');
                }
                blocks.add(new Block(root.relativize(file) + ":" + start, source.toString()));
            }
        }
        return blocks;
    }

    @Test
    void everyJavaBlockInTheDocumentationCompilesAndTheCheapOnesRun() throws Exception {
        List<Block> blocks = blocks();
        assertTrue(blocks.size() >= 8, "README.md and docs/ hold at least 8 java blocks; found " + blocks.size());
        Path classes = compile(blocks);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            for (Block block : blocks) {
                if (block.runsWithoutArguments()) {
                    String printed = run(loader, block.className());
                    assertFalse(printed.isBlank(), block.where() + ": " + block.className() + " printed nothing");
                }
            }
        }
    }

    /** Compiles every block in one javac run, each under a folder named for its file and line. */
    private Path compile(List<Block> blocks) throws IOException {
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        List<Path> sources = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Block block : blocks) {
            String name = block.className();
            assertTrue(names.add(name), block.where() + ": another java block already declares class " + name);
            Path dir = Files.createDirectories(tmp.resolve("src").resolve(block.where().replaceAll("[^A-Za-z0-9]", "_")));
            sources.add(Files.writeString(dir.resolve(name + ".java"), block.source()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter log = new StringWriter();
        boolean ok;
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            ok = javac.getTask(log, files, diagnostics, List.of("-proc:none", "-Xlint:all", "-classpath",
                    System.getProperty("java.class.path"), "-d", classes.toString()), null,
                    files.getJavaFileObjectsFromPaths(sources)).call();
        }
        StringBuilder errors = new StringBuilder();
        diagnostics.getDiagnostics().forEach(d -> errors.append(d).append('\n'));
        assertTrue(ok, "java blocks in the documentation do not compile (folder names give file and line):\n" + errors + log);
        return classes;
    }

    private static String run(ClassLoader loader, String className) throws Exception {
        Method main = loader.loadClass(className).getMethod("main", String[].class);
        PrintStream old = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[0]);
        } catch (InvocationTargetException e) {
            throw new AssertionError(className + " from the documentation failed", e.getCause());
        } finally {
            System.setOut(old);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }
}
