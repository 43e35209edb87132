package org.convnet4j.graph.layers;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Binding;
import org.convnet4j.graph.Bound;
import org.convnet4j.graph.Layer;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.PoolMode;
import org.convnet4j.ops.Size2;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/** What MaxPooling2D and AveragePooling2D share: Keras' defaults (stride = window, valid padding). */
abstract class Pooling2D<T extends Pooling2D<T>> extends Layer {
    private final PoolMode mode;
    private final Size2 window;
    private Size2 stride;
    private Padding padding = Padding.VALID;

    Pooling2D(PoolMode mode, Size2 window) {
        this.mode = mode;
        this.window = window;
        this.stride = window;
    }

    /**
     * The same stride along height and width (default: the window).
     *
     * @param s the stride
     * @return this layer
     */
    public T stride(int s) {
        return stride(Size2.of(s));
    }

    /**
     * A stride that differs between height and width.
     *
     * @param s the stride along height and width
     * @return this layer
     */
    @SuppressWarnings("unchecked")
    public T stride(Size2 s) {
        this.stride = s;
        return (T) this;
    }

    /**
     * Keras' padding: valid (default) or same.
     *
     * @param p the padding
     * @return this layer
     */
    @SuppressWarnings("unchecked")
    public T padding(Padding p) {
        this.padding = p;
        return (T) this;
    }

    /**
     * The op this layer runs for a batch of n, once applied.
     *
     * @param n the batch size
     * @return the pooling op with this layer's input shape at batch n
     */
    public Pool2d op(int n) {
        if (output() == null) {
            throw new IllegalStateException(type() + " " + name() + ": not applied yet");
        }
        return op(output().inputs().get(0).shape(), n);
    }

    private Pool2d op(Shape in, long batch) {
        return new Pool2d(batched(in, batch), mode, window, stride, padding);
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        return perSample(op(requireImage(inputs.get(0)), 1).outputShape());
    }

    @Override
    public Bound bind(Binding b) {
        Backend be = b.backend();
        Pool2d op = op(output().inputs().get(0).shape(), b.batch());
        Tensor x = b.input();
        Tensor y = b.output();
        return new Bound() {
            @Override
            public void forward(boolean training, long step) {
                be.pool2dForward(op, x, y);
            }

            @Override
            public void backward(long step) {
                if (b.inputGrad(0) != null) {
                    be.pool2dBackward(op, x, y, b.outputGrad(), b.inputGrad(0));
                }
            }
        };
    }
}
