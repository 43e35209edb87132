package org.convnet4j.train;

import java.nio.file.Path;

import org.convnet4j.report.EventFile;
import org.convnet4j.report.History;

/**
 * Keras' TensorBoard callback, for the scalars: live training curves in {@code tensorboard --logdir
 * DIR}. Writes event files ({@link EventFile}) under {@code DIR/train} and {@code DIR/validation},
 * with Keras' tags:
 * <ul>
 * <li>train, every {@code updateFreq} steps: {@code batch_loss}, {@code batch_accuracy} (the epoch's
 * running means, as Keras logs them) and {@code batch_learning_rate}, at the run's step (from 1,
 * counted across resumes);</li>
 * <li>train, every epoch: {@code epoch_loss}, {@code epoch_accuracy}, {@code epoch_learning_rate}
 * (the rate of the epoch's last step), at the epoch number (from 1, as the history counts);</li>
 * <li>validation, every epoch with validation data: {@code epoch_loss}, {@code epoch_accuracy}.</li>
 * </ul>
 * Records go to disk every 50 batch records and at the end of every epoch.
 */
public final class TensorBoard implements Callback {
    private static final int FLUSH_EVERY = 50;

    private final Path logDir;
    private final int updateFreq;
    private EventFile train;
    private EventFile validation;
    private int unflushed;

    /**
     * Batch-level scalars at every step, and epoch-level ones.
     *
     * @param logDir the run's log folder; train/ and validation/ go under it
     */
    public TensorBoard(Path logDir) {
        this(logDir, 1);
    }

    /**
     * Batch-level scalars every {@code updateFreq} steps (0: epoch-level only, Keras' "epoch").
     *
     * @param logDir the run's log folder; train/ and validation/ go under it
     * @param updateFreq steps between batch-level scalars, or 0
     */
    public TensorBoard(Path logDir, int updateFreq) {
        if (logDir == null || updateFreq < 0) {
            throw new IllegalArgumentException("TensorBoard: expected a log folder and updateFreq >= 0. Received "
                    + logDir + ", " + updateFreq);
        }
        this.logDir = logDir;
        this.updateFreq = updateFreq;
    }

    /**
     * The train writer's file (null before training began).
     *
     * @return the event file, or null
     */
    public Path trainFile() {
        return train == null ? null : train.file();
    }

    /**
     * The validation writer's file (null before the first validated epoch).
     *
     * @return the event file, or null
     */
    public Path validationFile() {
        return validation == null ? null : validation.file();
    }

    @Override
    public void onTrainBegin(TrainBegin run, Trainer trainer) {
        train = EventFile.create(logDir.resolve("train"));
    }

    @Override
    public void onBatchEnd(BatchEnd b, Trainer trainer) {
        if (updateFreq == 0 || b.step() % updateFreq != 0) {
            return;
        }
        train.scalar("batch_loss", b.step(), b.meanLoss());
        train.scalar("batch_accuracy", b.step(), b.meanAccuracy());
        train.scalar("batch_learning_rate", b.step(), b.learningRate());
        if (++unflushed >= FLUSH_EVERY) {
            train.flush();
            unflushed = 0;
        }
    }

    @Override
    public boolean onEpochEnd(History.Epoch e, Trainer trainer) {
        train.scalar("epoch_loss", e.epoch(), e.loss());
        train.scalar("epoch_accuracy", e.epoch(), e.accuracy());
        train.scalar("epoch_learning_rate", e.epoch(), trainer.optimizer().learningRate());
        train.flush();
        unflushed = 0;
        if (e.hasValidation()) {
            if (validation == null) {
                validation = EventFile.create(logDir.resolve("validation"));
            }
            validation.scalar("epoch_loss", e.epoch(), e.valLoss());
            validation.scalar("epoch_accuracy", e.epoch(), e.valAccuracy());
            validation.flush();
        }
        return false;
    }

    @Override
    public void onTrainEnd(Trainer trainer) {
        if (train != null) {
            train.flush();
        }
    }
}
