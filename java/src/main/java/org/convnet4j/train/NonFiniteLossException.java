package org.convnet4j.train;

/** The loss became NaN or infinite; training stops at that step and keeps the last good checkpoint. */
public class NonFiniteLossException extends RuntimeException {
    /** The step whose loss was not finite, as {@link #step()} returns it. */
    private final long step;

    /**
     * A loss that is NaN or infinite; the message suggests lowering the learning rate.
     *
     * @param step the training step it happened at
     * @param loss the loss's value
     */
    public NonFiniteLossException(long step, double loss) {
        super("the loss became " + loss + " at step " + step + "; stopping (lower the learning rate, or check the inputs)");
        this.step = step;
    }

    /**
     * The step whose loss was not finite.
     *
     * @return the training step
     */
    public long step() {
        return step;
    }
}
