package org.convnet4j.graph;

/**
 * A layer bound to a backend and a batch size: its op records are built and its extra tensors (batch
 * statistics saved for backward) allocated once, so running a step allocates nothing.
 */
public interface Bound extends AutoCloseable {
    /**
     * Computes the output from the inputs; {@code training} selects batch statistics and dropout; step seeds dropout.
     *
     * @param training true for a training pass (batch statistics, dropout on), false for inference
     * @param step the training step, which seeds dropout's mask
     */
    void forward(boolean training, long step);

    /**
     * Computes the gradients of the inputs that need one (null ones are skipped) and of the
     * parameters (overwritten) from the output's gradient.
     *
     * @param step the step of the forward it follows (dropout recomputes that step's mask)
     */
    void backward(long step);

    /** Releases what the bound layer allocated itself; nothing by default. */
    @Override
    default void close() {
    }
}
