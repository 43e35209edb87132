package org.convnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.convnet4j.data.Datasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "checkpoint and a photo to a label" example, taken from README.md between its marker
 * comments, compiles as shown against the library and, run on a checkpoint that train wrote and a PNG,
 * prints three named classes: the README cannot drift from the API unseen.
 */
class ReadmeExampleTest {
    static final String BEGIN = "<!-- readme-example:classify begin -->";
    static final String END = "<!-- readme-example:classify end -->";

    @TempDir
    Path tmp;

    static String example() throws IOException {
        // Maven runs the zoo's tests in zoo/; the README is the repository's.
        Path readme = Files.isRegularFile(Path.of("..", "README.md")) ? Path.of("..", "README.md") : Path.of("README.md");
        String text = Files.readString(readme);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "README.md must hold the example between " + BEGIN + " and " + END);
        String block = text.substring(begin + BEGIN.length(), end).strip();
        assertTrue(block.startsWith("```java\n") && block.endsWith("```"), "the example is one ```java block: " + block);
        return block.substring("```java\n".length(), block.length() - 3);
    }

    @Test
    void theReadmeExampleCompilesAndNamesTheClassOfAPhoto() throws Exception {
        String source = example();
        assertTrue(source.lines().filter(l -> l.startsWith("import ")).count() >= 5, "complete with its imports");
        Path src = Files.createDirectories(tmp.resolve("src"));
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        Path file = src.resolve("Classify.java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter log = new StringWriter();
        boolean ok;
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            ok = javac.getTask(log, files, diagnostics, List.of("-proc:none", "-classpath",
                    System.getProperty("java.class.path"), "-d", classes.toString()), null,
                    files.getJavaFileObjects(file)).call();
        }
        assertTrue(ok, "the README example does not compile:\n" + diagnostics.getDiagnostics() + "\n" + log);

        // Run it as a new user would: a checkpoint from train and a photo.
        Path data = Files.createDirectories(tmp.resolve("fmnist"));
        CliTest.writeSplit(data, "train", 96, 8);
        CliTest.writeSplit(data, "t10k", 20, 9);
        Path run = tmp.resolve("run");
        CliTest.Run trained = CliTest.cli("train", "lenet5", "--data", data.toString(), "--out", run.toString(),
                "--epochs", "1", "--batch-size", "32", "--backend", "cpu");
        assertEquals(0, trained.status(), trained.err());
        Path photo = tmp.resolve("photo.png");
        ImageIO.write(new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB), "png", photo.toFile());
        String printed;
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass("Classify").getMethod("main", String[].class);
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {run.resolve("checkpoint.safetensors").toString(), photo.toString()});
        } finally {
            System.setOut(old);
        }
        printed = out.toString(StandardCharsets.UTF_8);
        List<String> lines = printed.lines().toList();
        assertEquals(3, lines.size(), printed);
        for (String line : lines) {
            String name = line.substring(0, line.lastIndexOf(' '));
            assertTrue(Datasets.FASHION_MNIST_CLASSES.contains(name), "a class name from the checkpoint: " + printed);
        }
    }
}
