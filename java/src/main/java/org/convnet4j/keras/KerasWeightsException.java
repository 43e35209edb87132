package org.convnet4j.keras;

import java.nio.file.Path;
import java.util.List;

/**
 * A Keras weight file could not be read, or does not fit the model: the message names the file and
 * lists every problem found (each missing layer, extra layer, missing weight, wrong shape), so one
 * run shows them all, as the checkpoint loader does. {@link #problems()} gives them one by one.
 */
public final class KerasWeightsException extends RuntimeException {
    /** The file, as {@link #file()} returns it. */
    private final Path file;
    /** Each problem, as {@link #problems()} returns them. */
    private final List<String> problems;

    /**
     * One problem with a file.
     *
     * @param file the weight file
     * @param problem what is wrong
     */
    public KerasWeightsException(Path file, String problem) {
        this(file, problem, (Throwable) null);
    }

    /**
     * One problem with a file, caused by another failure.
     *
     * @param file the weight file
     * @param problem what is wrong
     * @param cause the failure, such as the HDF5 library's; may be null
     */
    public KerasWeightsException(Path file, String problem, Throwable cause) {
        super("Keras weight file " + file + ": " + problem, cause);
        this.file = file;
        this.problems = List.of(problem);
    }

    /**
     * Several problems; the message is the summary followed by one problem per line.
     *
     * @param file the weight file
     * @param summary one line, such as the count of problems
     * @param problems every problem found; copied
     */
    public KerasWeightsException(Path file, String summary, List<String> problems) {
        super("Keras weight file " + file + ": " + summary + "\n  " + String.join("\n  ", problems));
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    /**
     * The file that could not be read, written or loaded.
     *
     * @return its path as given
     */
    public Path file() {
        return file;
    }

    /**
     * Every problem found, one per entry.
     *
     * @return an unmodifiable list
     */
    public List<String> problems() {
        return problems;
    }
}
