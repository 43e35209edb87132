package org.convnet4j.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convnet4j.report.History;

/**
 * Keras' ModelCheckpoint: saves the trainer's full state after each epoch (or only when the monitored
 * metric improved), atomically, so the file on disk is always the last good state. Given the run's
 * {@link History} (the one {@link Fit} fills), it stores the epochs through the saved one in the
 * checkpoint, so resuming rebuilds the history from the checkpoint alone.
 */
public final class ModelCheckpoint implements Callback {
    private final Path file;
    private final Monitor monitor;
    private final boolean saveBestOnly;
    private final long seed;
    private final History history;
    private final List<String> classNames;
    private final Map<String, String> run;
    private double best = Double.NaN;

    /**
     * Saves the full training state after each epoch, or after each improving one.
     *
     * @param file the checkpoint file, replaced atomically
     * @param monitor the metric that decides the best epoch
     * @param saveBestOnly true to save only when the metric improves
     * @param seed the run's seed, stored to resume with
     */
    public ModelCheckpoint(Path file, Monitor monitor, boolean saveBestOnly, long seed) {
        this(file, monitor, saveBestOnly, seed, null);
    }

    /**
     * history: the history the run fills, stored in each checkpoint; null stores none.
     *
     * @param file the checkpoint file, replaced atomically
     * @param monitor the metric that decides the best epoch
     * @param saveBestOnly true to save only when the metric improves
     * @param seed the run's seed, stored to resume with
     * @param history the history, or null
     */
    public ModelCheckpoint(Path file, Monitor monitor, boolean saveBestOnly, long seed, History history) {
        this(file, monitor, saveBestOnly, seed, history, null);
    }

    /**
     * As above, with the data set's class names (may be null: none) stored in each checkpoint
     * ({@link Checkpoints#CLASS_NAMES}), so a predictor can name its classes from the file alone.
     *
     * @param file the checkpoint file, replaced atomically
     * @param monitor the metric that decides the best epoch
     * @param saveBestOnly true to save only when the metric improves
     * @param seed the run's seed, stored to resume with
     * @param history the history, or null
     * @param classNames the class names, or null
     */
    public ModelCheckpoint(Path file, Monitor monitor, boolean saveBestOnly, long seed, History history,
            List<String> classNames) {
        this(file, monitor, saveBestOnly, seed, history, classNames, null);
    }

    /**
     * As above, with the run's settings (may be null: none) in each checkpoint ({@link Checkpoints#run}).
     *
     * @param file the checkpoint file, replaced atomically
     * @param monitor the metric that decides the best epoch
     * @param saveBestOnly true to save only when the metric improves
     * @param seed the run's seed, stored to resume with
     * @param history the history, or null
     * @param classNames the class names, or null
     * @param run the run's settings, or null
     */
    public ModelCheckpoint(Path file, Monitor monitor, boolean saveBestOnly, long seed, History history,
            List<String> classNames, Map<String, String> run) {
        this.run = run == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(run));
        this.classNames = classNames == null ? null : List.copyOf(classNames);
        this.file = file;
        this.monitor = monitor;
        this.saveBestOnly = saveBestOnly;
        this.seed = seed;
        this.history = history;
    }

    @Override
    public boolean onEpochEnd(History.Epoch e, Trainer t) {
        double v = monitor.value(e);
        if (!saveBestOnly || monitor.improves(v, best, 0)) {
            best = saveBestOnly ? v : best;
            Checkpoints.save(file, t, e.epoch(), seed, history, classNames, run);
        }
        return false;
    }

    /**
     * The checkpoint file.
     *
     * @return the file
     */
    public Path file() {
        return file;
    }
}
