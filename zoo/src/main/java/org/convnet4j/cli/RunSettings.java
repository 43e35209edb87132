package org.convnet4j.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.convnet4j.io.AtomicFiles;

/**
 * The settings of a training run that a resumed run must share to continue the same run: the model,
 * batch size, learning rate, seed, input size and class count. A run records them in
 * {@value #FILE} next to its checkpoint when it starts; {@code --resume} compares the command's
 * against them and refuses a difference unless {@code --force-resume} is given. (They live beside
 * the checkpoint rather than in its metadata because the checkpoint's writer takes only the epoch
 * and the seed.)
 */
record RunSettings(String model, int batchSize, double learningRate, long seed, String input, int classes) {
    static final String FILE = "settings.properties";

    /** Each setting: its key in the file, the option that sets it, and its value as the file holds it. */
    private record Setting(String key, String option, String value) {
    }

    private List<Setting> settings() {
        return List.of(
                new Setting("model", "MODEL", model),
                new Setting("batch_size", "--batch-size", Integer.toString(batchSize)),
                new Setting("learning_rate", "--lr", Double.toString(learningRate)),
                new Setting("seed", "--seed", Long.toString(seed)),
                new Setting("input", "--input", input),
                new Setting("classes", "--classes", Integer.toString(classes)));
    }

    /** Writes the settings to {@code dir}/{@value #FILE}, atomically. */
    void write(Path dir) {
        StringBuilder b = new StringBuilder("# convnet4j train: the settings --resume checks a command against\n");
        for (Setting s : settings()) {
            b.append(s.key()).append('=').append(s.value()).append('\n');
        }
        AtomicFiles.write(dir.resolve(FILE), b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The recorded settings of the run in {@code dir} by key, or null when it recorded none. */
    static Map<String, String> read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read the run's settings " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    /**
     * Each setting of this command that differs from the recorded ones, as "--batch-size 64 (the run
     * used 32)"; a setting the file does not hold is not compared.
     */
    List<String> differencesFrom(Map<String, String> recorded) {
        List<String> out = new ArrayList<>();
        for (Setting s : settings()) {
            String was = recorded.get(s.key());
            if (was != null && !same(s, was)) {
                out.add(s.option().equals("MODEL") ? "model " + s.value() + " (the run trained " + was + ")"
                        : s.option() + " " + s.value() + " (the run used " + was + ")");
            }
        }
        return out;
    }

    private static boolean same(Setting s, String recorded) {
        if (s.key().equals("learning_rate")) {
            try {
                return Double.parseDouble(recorded) == Double.parseDouble(s.value());
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return recorded.strip().equals(s.value());
    }
}
