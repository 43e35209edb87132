package org.convnet4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code train} may do with the run already in its output folder, decided while it holds the
 * folder's lock: a new run into a folder that holds one is refused unless it is {@code --resume}d or
 * {@code --overwrite}n, and {@code --overwrite} first deletes the previous run's files, so that a
 * new run killed early leaves no mix of two runs. A resumed run must match the {@link RunSettings} its
 * checkpoint carries unless {@code --force-resume} is given; its next checkpoint carries the new ones.
 */
final class RunFolder {
    /** The files that make a folder hold a run. */
    static final List<String> RUN_FILES = List.of(TrainCommand.CHECKPOINT, TrainCommand.HISTORY, "metrics.json");
    /** Every file a run writes, deleted by --overwrite. */
    static final List<String> ALL_FILES = List.of(TrainCommand.CHECKPOINT, TrainCommand.HISTORY, "metrics.json",
            "curves.png", "predictions.png");

    private RunFolder() {
    }

    /** The flags that contradict each other or go with another, checked before the folder is touched. */
    static void checkFlags(boolean resume, boolean forceResume, boolean overwrite) {
        if (resume && overwrite) {
            throw new UsageException("--resume continues the run in --out and --overwrite replaces it: give one of them");
        }
        if (forceResume && !resume) {
            throw new UsageException("--force-resume goes with --resume");
        }
    }

    /**
     * Checks --resume, --force-resume and --overwrite against what {@code out} holds; with --overwrite,
     * empties it of the old run; a resume is checked against the settings its checkpoint carries.
     */
    static void prepare(Path out, boolean resume, boolean forceResume, boolean overwrite, RunSettings settings) {
        checkFlags(resume, forceResume, overwrite);
        if (resume) {
            checkResume(out, forceResume, settings);
            return;
        }
        List<String> present = present(out, RUN_FILES);
        if (!present.isEmpty()) {
            replace(out, present, overwrite);
        }
    }

    /**
     * A resumed run must have the recorded settings (a run that recorded none, or has no checkpoint
     * for --resume to find, is not checked here). With --force-resume it goes on with the new ones,
     * which are then recorded.
     */
    private static void checkResume(Path out, boolean force, RunSettings settings) {
        if (!Files.isRegularFile(out.resolve(TrainCommand.CHECKPOINT))) {
            return;
        }
        Map<String, String> recorded = RunSettings.read(out.resolve(TrainCommand.CHECKPOINT));
        List<String> changed = settings.differencesFrom(recorded);
        if (!changed.isEmpty() && !force) {
            throw new UsageException("--resume: this command's settings differ from the run's in " + out + ": "
                    + String.join(", ", changed) + "; resume with the run's settings, or add --force-resume to go on"
                    + " with these");
        }
        if (!changed.isEmpty()) {
            System.err.println("convnet4j: --force-resume: the run goes on with " + String.join(", ", changed));
        }
    }

    private static void replace(Path out, List<String> present, boolean overwrite) {
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
