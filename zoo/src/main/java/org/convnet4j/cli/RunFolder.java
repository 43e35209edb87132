package org.convnet4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code train} may do with the run already in its output folder, decided while it holds the
 * folder's lock: a new run into a folder that holds one is refused unless it is {@code --resume}d or
 * {@code --overwrite}n, and {@code --overwrite} first deletes the previous run's files, so that a
 * new run killed early leaves no mix of two runs.
 */
final class RunFolder {
    /** The files that make a folder hold a run. */
    static final List<String> RUN_FILES = List.of(TrainCommand.CHECKPOINT, TrainCommand.HISTORY, "metrics.json");
    /** Every file a run writes, deleted by --overwrite. */
    static final List<String> ALL_FILES = List.of(TrainCommand.CHECKPOINT, TrainCommand.HISTORY, "metrics.json",
            "curves.png", "predictions.png");

    private RunFolder() {
    }

    /** Checks --resume and --overwrite against what {@code out} holds; with --overwrite, empties it of the old run. */
    static void prepare(Path out, boolean resume, boolean overwrite) {
        if (resume && overwrite) {
            throw new UsageException("--resume continues the run in --out and --overwrite replaces it: give one of them");
        }
        if (resume) {
            return;
        }
        List<String> present = present(out, RUN_FILES);
        if (present.isEmpty()) {
            return;
        }
        if (!overwrite) {
            throw new UsageException(out + " already holds a run (" + String.join(", ", present)
                    + "): pass --resume to continue it, --overwrite to replace it, or another --out");
        }
        List<String> deleted = present(out, ALL_FILES);
        for (String f : deleted) {
            try {
                Files.delete(out.resolve(f));
            } catch (IOException e) {
                throw new UncheckedIOException("--overwrite: cannot delete " + out.resolve(f) + ": " + e.getMessage(), e);
            }
        }
        System.err.println("convnet4j: --overwrite: deleted the previous run's " + String.join(", ", deleted)
                + " from " + out);
    }

    private static List<String> present(Path out, List<String> names) {
        List<String> found = new ArrayList<>();
        for (String f : names) {
            if (Files.exists(out.resolve(f))) {
                found.add(f);
            }
        }
        return found;
    }
}
