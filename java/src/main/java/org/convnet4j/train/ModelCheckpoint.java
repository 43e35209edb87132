package org.convnet4j.train;

import java.nio.file.Path;

import org.convnet4j.report.History;

/**
 * Keras' ModelCheckpoint: saves the trainer's full state after each epoch (or only when the monitored
 * metric improved), atomically, so the file on disk is always the last good state.
 */
public final class ModelCheckpoint implements Callback {
    private final Path file;
    private final Monitor monitor;
    private final boolean saveBestOnly;
    private final long seed;
    private double best = Double.NaN;

    public ModelCheckpoint(Path file, Monitor monitor, boolean saveBestOnly, long seed) {
        this.file = file;
        this.monitor = monitor;
        this.saveBestOnly = saveBestOnly;
        this.seed = seed;
    }

    @Override
    public boolean onEpochEnd(History.Epoch e, Trainer t) {
        double v = monitor.value(e);
        if (!saveBestOnly || monitor.improves(v, best, 0)) {
            best = saveBestOnly ? v : best;
            Checkpoints.save(file, t, e.epoch(), seed);
        }
        return false;
    }

    public Path file() {
        return file;
    }
}
