package org.convnet4j.train;

import org.convnet4j.report.History;

/**
 * Hooks into {@link Fit}, as Keras callbacks: {@link #onTrainBegin}, then per epoch
 * {@link #onEpochBegin}, {@link #onBatchEnd} after every training step and {@link #onEpochEnd} once
 * the epoch's metrics (validation included) are in the history; {@link #onTrainEnd} last. Every
 * method has an empty default, so a callback implements only what it needs. Epochs count from 1.
 */
public interface Callback {
    /**
     * What a run is about to do: epochs {@code firstEpoch} to {@code epochs} (a resumed run starts
     * after 1) of {@code batchesPerEpoch} batches each.
     */
    record TrainBegin(int firstEpoch, int epochs, int batchesPerEpoch) {
    }

    /**
     * One training step, just taken: batch {@code batch} (from 1) of {@code batches} in {@code epoch},
     * the run's {@code step} (the optimizer's iteration count after it, from 1 and across resumes),
     * {@code count} images, this batch's loss and accuracy, the epoch's running means so far (what the
     * progress line shows, and what Keras logs as a batch's metrics), the learning rate the step took
     * and the gradients' global norm before clipping (NaN when not clipped).
     */
    record BatchEnd(int epoch, int batch, int batches, long step, int count, double loss, double accuracy,
                    double meanLoss, double meanAccuracy, double learningRate, double gradientNorm) {
    }

    /**
     * Once, before the first step.
     *
     * @param run the epochs and batches the run will do
     * @param trainer the training step, its weights and optimizer
     */
    default void onTrainBegin(TrainBegin run, Trainer trainer) {
    }

    /**
     * Before the first step of each epoch.
     *
     * @param epoch the epoch, from 1
     * @param trainer the training step, its weights and optimizer
     */
    default void onEpochBegin(int epoch, Trainer trainer) {
    }

    /**
     * After each training step.
     *
     * @param batch the step's loss, running means, learning rate and gradient norm
     * @param trainer the training step, its weights and optimizer
     */
    default void onBatchEnd(BatchEnd batch, Trainer trainer) {
    }

    /**
     * After each epoch's metrics are in the history; return true to stop training. The trainer's
     * optimizer still holds the learning rate of the epoch's last step.
     *
     * @param epoch the epoch's metrics, as the history holds them
     * @param trainer the training step, its weights and optimizer
     * @return true to stop after this epoch
     */
    default boolean onEpochEnd(History.Epoch epoch, Trainer trainer) {
        return false;
    }

    /**
     * Once, after the last epoch (stopped early or not).
     *
     * @param trainer the training step, its weights and optimizer
     */
    default void onTrainEnd(Trainer trainer) {
    }
}
