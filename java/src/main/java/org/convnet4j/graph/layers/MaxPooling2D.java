package org.convnet4j.graph.layers;

import org.convnet4j.ops.PoolMode;
import org.convnet4j.ops.Size2;

/** Keras' MaxPooling2D(pool): stride defaults to the window, padding to valid. */
public final class MaxPooling2D extends Pooling2D<MaxPooling2D> {
    /**
     * A square max pool whose stride is its window.
     *
     * @param window the window's height and width
     */
    public MaxPooling2D(int window) {
        this(Size2.of(window));
    }

    /**
     * A window that differs between height and width.
     *
     * @param window the window's height and width
     */
    public MaxPooling2D(Size2 window) {
        super(PoolMode.MAX, window);
    }

    @Override
    public String type() {
        return "MaxPooling2D";
    }
}
