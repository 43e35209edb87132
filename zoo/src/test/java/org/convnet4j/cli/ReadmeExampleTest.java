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
 * The README's complete examples, taken from README.md between their marker comments, compile as
 * shown against the library and run: "checkpoint and a photo to a label", on a checkpoint that train
 * wrote and a PNG, prints three named classes; the training example trains and writes its logs. The
 * README cannot drift from the API unseen.
 */
class ReadmeExampleTest {
    static final String BEGIN = "<!-- readme-example:classify begin -->";
    static final String END = "<!-- readme-example:classify end -->";
    static final String TRAIN_BEGIN = "<!-- readme-example:train begin -->";
    static final String TRAIN_END = "<!-- readme-example:train end -->";

    @TempDir
    Path tmp;

    static String example() throws IOException {
        return example(BEGIN, END);
    }

    static String example(String beginMarker, String endMarker) throws IOException {
        // Maven runs the zoo's tests in zoo/; the README is the repository's.
        Path readme = Files.isRegularFile(Path.of("..", "README.md")) ? Path.of("..", "README.md") : Path.of("README.md");
        String text = Files.readString(readme);
        int begin = text.indexOf(beginMarker);
        int end = text.indexOf(endMarker);
        assertTrue(begin >= 0 && end > begin, "README.md must hold the example between " + beginMarker + " and " + endMarker);
        String block = text.substring(begin + beginMarker.length(), end).strip();
        assertTrue(block.startsWith("```java\n") && block.endsWith("```"), "the example is one ```java block: " + block);
        return block.substring("```java\n".length(), block.length() - 3);
    }

    /** Compiles {@code source} as {@code className}.java into a fresh folder, which it returns. */
    private Path compile(String className, String source) throws IOException {
        assertTrue(source.lines().filter(l -> l.startsWith("import ")).count() >= 5, "complete with its imports");
        Path src = Files.createDirectories(tmp.resolve("src-" + className));
        Path classes = Files.createDirectories(tmp.resolve("classes-" + className));
        Path file = src.resolve(className + ".java");
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
        return classes;
    }

    /**
     * The training example: a Learner with AdamW and clipping, a cosine schedule, ReduceLROnPlateau,
     * augmentation, a CSV logger and TensorBoard, run for one epoch on a small Fashion-MNIST-format set.
     */
    @Test
    void theTrainingExampleCompilesAndTrains() throws Exception {
        Path classes = compile("Train", example(TRAIN_BEGIN, TRAIN_END));
        Path data = Files.createDirectories(tmp.resolve("fmnist-train"));
        CliTest.writeSplit(data, "train", 64, 10);
        CliTest.writeSplit(data, "t10k", 20, 11);
        Path out = tmp.resolve("mine");
        PrintStream old = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass("Train").getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {data.toString(), out.toString(), "1"});
        } finally {
            System.setOut(old);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.matches("(?s).*Epoch 1/1.*test accuracy \\d\\.\\d{4}\\R"), text);
        assertEquals(2, Files.readAllLines(out.resolve("log.csv")).size(), "the header and epoch 1");
        assertTrue(Files.isDirectory(out.resolve("tensorboard").resolve("train")));
        assertTrue(Files.isDirectory(out.resolve("tensorboard").resolve("validation")));
    }

    @Test
    void theReadmeExampleCompilesAndNamesTheClassOfAPhoto() throws Exception {
        Path classes = compile("Classify", example());

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
