package org.convnet4j.keras;

import java.nio.file.Path;
import java.util.List;

/**
 * A Keras weight file could not be read, or does not fit the model: the message names the file and
 * lists every problem found (each missing layer, extra layer, missing weight, wrong shape), so one
 * run shows them all, as the checkpoint loader does. {@link #problems()} gives them one by one.
 */
public final class KerasWeightsException extends RuntimeException {
    private final Path file;
    private final List<String> problems;

    public KerasWeightsException(Path file, String problem) {
        this(file, problem, (Throwable) null);
    }

    public KerasWeightsException(Path file, String problem, Throwable cause) {
        super("Keras weight file " + file + ": " + problem, cause);
        this.file = file;
        this.problems = List.of(problem);
    }

    public KerasWeightsException(Path file, String summary, List<String> problems) {
        super("Keras weight file " + file + ": " + summary + "\n  " + String.join("\n  ", problems));
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    public Path file() {
        return file;
    }

    public List<String> problems() {
        return problems;
    }
}
