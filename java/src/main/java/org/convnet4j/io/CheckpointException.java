package org.convnet4j.io;

import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint could not be written, read, or loaded into a model. The message names the file and
 * what was wrong with it; {@link #problems()} lists each mismatch when a model check found several.
 */
public class CheckpointException extends RuntimeException {
    private final Path file;
    private final List<String> problems;

    public CheckpointException(Path file, String problem) {
        this(file, problem, (Throwable) null);
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super("checkpoint " + file + ": " + problem, cause);
        this.file = file;
        this.problems = List.of(problem);
    }

    /** One exception for several problems, so a user fixes them all in one pass. */
    public CheckpointException(Path file, String summary, List<String> problems) {
        super("checkpoint " + file + ": " + summary + "\n  " + String.join("\n  ", problems));
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
