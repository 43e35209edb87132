package org.convnet4j.train;

/** The loss became NaN or infinite; training stops at that step and keeps the last good checkpoint. */
public class NonFiniteLossException extends RuntimeException {
    private final long step;

    public NonFiniteLossException(long step, double loss) {
        super("the loss became " + loss + " at step " + step + "; stopping (lower the learning rate, or check the inputs)");
        this.step = step;
    }

    public long step() {
        return step;
    }
}
