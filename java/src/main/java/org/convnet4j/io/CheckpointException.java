package org.convnet4j.io;

import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint could not be written, read, or loaded into a model. The message names the file and
 * what was wrong with it; {@link #problems()} lists each mismatch when a model check found several.
 */
public class CheckpointException extends RuntimeException {
    /** The checkpoint file. */
    private final Path file;
    /** What was wrong, one entry per problem. */
    private final List<String> problems;

    /**
     * One problem with a file.
     *
     * @param file the checkpoint
     * @param problem what was wrong with it
     */
    public CheckpointException(Path file, String problem) {
        this(file, problem, (Throwable) null);
    }

    /**
     * One problem with a file, and the failure that revealed it.
     *
     * @param file the checkpoint
     * @param problem what was wrong with it
     * @param cause the underlying failure
     */
    public CheckpointException(Path file, String problem, Throwable cause) {
        super("checkpoint " + file + ": " + problem, cause);
        this.file = file;
        this.problems = List.of(problem);
    }

    /**
     * One exception for several problems, so a user fixes them all in one pass.
     *
     * @param file the checkpoint
     * @param summary the message's first line
     * @param problems each problem
     */
    public CheckpointException(Path file, String summary, List<String> problems) {
        super("checkpoint " + file + ": " + summary + "\n  " + String.join("\n  ", problems));
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    /**
     * The checkpoint file.
     *
     * @return the file
     */
    public Path file() {
        return file;
    }

    /**
     * What was wrong, one entry per problem.
     *
     * @return the problems
     */
    public List<String> problems() {
        return problems;
    }
}
