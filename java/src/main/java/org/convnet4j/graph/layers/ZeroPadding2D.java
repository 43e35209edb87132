package org.convnet4j.graph.layers;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Binding;
import org.convnet4j.graph.Bound;
import org.convnet4j.graph.Layer;
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.tensor.Shape;

/** Keras' ZeroPadding2D(p): p zero rows and columns on every side (or explicit pads). */
public final class ZeroPadding2D extends Layer {
    private final Pads pads;

    /**
     * The same padding on every side.
     *
     * @param p zero rows or columns per side
     */
    public ZeroPadding2D(int p) {
        this(new Pads(p, p, p, p));
    }

    /**
     * Padding that differs per side.
     *
     * @param pads zero rows or columns on each side
     */
    public ZeroPadding2D(Pads pads) {
        this.pads = pads;
    }

    /**
     * The padding on each side.
     *
     * @return the pads
     */
    public Pads pads() {
        return pads;
    }

    @Override
    public String type() {
        return "ZeroPadding2D";
    }

    private ZeroPad2d op(Shape in, long n) {
        return new ZeroPad2d(batched(in, n), pads);
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        return perSample(op(requireImage(inputs.get(0)), 1).outputShape());
    }

    @Override
    public Bound bind(Binding b) {
        Backend be = b.backend();
        ZeroPad2d op = op(output().inputs().get(0).shape(), b.batch());
        return new Bound() {
            @Override
            public void forward(boolean training, long step) {
                be.zeroPad2dForward(op, b.input(), b.output());
            }

            @Override
            public void backward(long step) {
                if (b.inputGrad(0) != null) {
                    be.zeroPad2dBackward(op, b.outputGrad(), b.inputGrad(0));
                }
            }
        };
    }
}
