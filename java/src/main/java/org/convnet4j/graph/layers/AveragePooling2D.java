package org.convnet4j.graph.layers;

import org.convnet4j.ops.PoolMode;
import org.convnet4j.ops.Size2;

/** Keras' AveragePooling2D(pool): stride defaults to the window; padded cells never count. */
public final class AveragePooling2D extends Pooling2D<AveragePooling2D> {
    /**
     * A square average pool whose stride is its window.
     *
     * @param window the window's height and width
     */
    public AveragePooling2D(int window) {
        this(Size2.of(window));
    }

    /**
     * A window that differs between height and width.
     *
     * @param window the window's height and width
     */
    public AveragePooling2D(Size2 window) {
        super(PoolMode.AVERAGE, window);
    }

    @Override
    public String type() {
        return "AveragePooling2D";
    }
}
