package org.convnet4j.graph.layers;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.ActivationFn;
import org.convnet4j.graph.Binding;
import org.convnet4j.graph.Bound;
import org.convnet4j.graph.Initializer;
import org.convnet4j.graph.Layer;
import org.convnet4j.graph.ParamSpec;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Size2;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Keras' Conv2D: {@code new Conv2D(64, 3).padding(Padding.SAME).activation(ActivationFn.RELU)}.
 * Defaults as Keras: stride 1, valid padding, bias, linear activation, glorot_uniform kernel, zero bias.
 * With relu the forward pass is the backend's fused conv+bias+relu.
 */
public final class Conv2D extends Layer {
    private final int filters;
    private final Size2 kernel;
    private Size2 stride = Size2.of(1);
    private Padding padding = Padding.VALID;
    private ActivationFn activation = ActivationFn.LINEAR;
    private boolean useBias = true;

    /**
     * A convolution with a square kernel.
     *
     * @param filters the output channels
     * @param kernel the kernel's height and width
     */
    public Conv2D(int filters, int kernel) {
        this(filters, Size2.of(kernel));
    }

    /**
     * A convolution whose kernel differs between height and width.
     *
     * @param filters the output channels
     * @param kernel the kernel's height and width
     */
    public Conv2D(int filters, Size2 kernel) {
        if (filters <= 0) {
            throw new IllegalArgumentException("Conv2D: expected a strictly positive value. Received filters=" + filters);
        }
        this.filters = filters;
        this.kernel = kernel;
    }

    /**
     * The same stride along height and width (default 1).
     *
     * @param s the stride
     * @return this layer
     */
    public Conv2D stride(int s) {
        return stride(Size2.of(s));
    }

    /**
     * A stride that differs between height and width.
     *
     * @param s the stride along height and width
     * @return this layer
     */
    public Conv2D stride(Size2 s) {
        this.stride = s;
        return this;
    }

    /**
     * Keras' padding: valid (default) or same, or explicit pads.
     *
     * @param p the padding
     * @return this layer
     */
    public Conv2D padding(Padding p) {
        this.padding = p;
        return this;
    }

    /**
     * The activation applied to the output (default linear).
     *
     * @param a linear, relu, or softmax at an output
     * @return this layer
     */
    public Conv2D activation(ActivationFn a) {
        this.activation = a;
        return this;
    }

    /**
     * Whether the layer adds a bias (default true; false before a batch norm).
     *
     * @param b whether to add a bias
     * @return this layer
     */
    public Conv2D useBias(boolean b) {
        this.useBias = b;
        return this;
    }

    /**
     * The activation applied to the output.
     *
     * @return the activation
     */
    public ActivationFn activation() {
        return activation;
    }

    @Override
    public String type() {
        return "Conv2D";
    }

    /**
     * The op this layer runs for a batch of n, once applied.
     *
     * @param n the batch size
     * @return the convolution op with this layer's shapes at batch n
     */
    public Conv2dOp op(int n) {
        if (output() == null) {
            throw new IllegalStateException("Conv2D " + name() + ": not applied yet");
        }
        return op(output().inputs().get(0).shape(), n);
    }

    private Conv2dOp op(Shape in, long batch) {
        return new Conv2dOp(batched(in, batch), filters, kernel, stride, padding, useBias);
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        return perSample(op(requireImage(inputs.get(0)), 1).outputShape());
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        Conv2dOp op = op(inputs.get(0), 1);
        ParamSpec k = new ParamSpec("kernel", op.weightShape(), true, Initializer.glorotUniform());
        return useBias ? List.of(k, new ParamSpec("bias", op.biasShape(), true, Initializer.zeros())) : List.of(k);
    }

    @Override
    public Bound bind(Binding b) {
        Backend be = b.backend();
        Conv2dOp op = op(output().inputs().get(0).shape(), b.batch());
        Tensor x = b.input();
        Tensor y = b.output();
        Tensor w = b.param(0);
        Tensor bias = useBias ? b.param(1) : null;
        boolean relu = activation == ActivationFn.RELU;
        return new Bound() {
            @Override
            public void forward(boolean training, long step) {
                if (relu) {
                    be.conv2dBiasReluForward(op, x, w, bias, y);
                } else {
                    be.conv2dForward(op, x, w, bias, y);
                }
            }

            @Override
            public void backward(long step) {
                Tensor dy = b.outputGrad();
                if (relu) {
                    be.reluBackward(y, dy, dy);
                }
                Tensor dx = b.inputGrad(0);
                if (dx != null) {
                    be.conv2dBackwardData(op, dy, w, dx);
                }
                if (b.paramGrad(0) != null) { // null when frozen: only the input's gradient is wanted
                    be.conv2dBackwardFilter(op, x, dy, b.paramGrad(0), useBias ? b.paramGrad(1) : null);
                }
            }
        };
    }
}
