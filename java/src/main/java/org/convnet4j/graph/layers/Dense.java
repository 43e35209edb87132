package org.convnet4j.graph.layers;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.ActivationFn;
import org.convnet4j.graph.Binding;
import org.convnet4j.graph.Bound;
import org.convnet4j.graph.Initializer;
import org.convnet4j.graph.Layer;
import org.convnet4j.graph.ParamSpec;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Keras' Dense on a feature vector: {@code new Dense(120).activation(ActivationFn.RELU)}. Kernel
 * (in, units) with glorot_uniform, zero bias. With softmax the layer outputs logits and the model
 * fuses the softmax into the loss.
 */
public final class Dense extends Layer {
    private final int units;
    private ActivationFn activation = ActivationFn.LINEAR;
    private boolean useBias = true;

    /**
     * A fully connected layer.
     *
     * @param units the output features
     */
    public Dense(int units) {
        if (units <= 0) {
            throw new IllegalArgumentException("Dense: expected a strictly positive value. Received units=" + units);
        }
        this.units = units;
    }

    /**
     * The activation applied to the output (default linear).
     *
     * @param a linear, relu, or softmax at an output
     * @return this layer
     */
    public Dense activation(ActivationFn a) {
        this.activation = a;
        return this;
    }

    /**
     * Whether the layer adds a bias (default true).
     *
     * @param b whether to add a bias
     * @return this layer
     */
    public Dense useBias(boolean b) {
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
        return "Dense";
    }

    /**
     * The op this layer runs for a batch of n, once applied.
     *
     * @param n the batch size
     * @return the dense op with this layer's shapes at batch n
     */
    public org.convnet4j.ops.DenseOp op(int n) {
        if (output() == null) {
            throw new IllegalStateException("Dense " + name() + ": not applied yet");
        }
        return op(output().inputs().get(0).shape(), n);
    }

    private org.convnet4j.ops.DenseOp op(Shape in, long batch) {
        return new org.convnet4j.ops.DenseOp(Shape.of(batch, in.dim(0)), units, useBias);
    }

    @Override
    protected Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (in.rank() != 1) {
            throw new IllegalArgumentException("expected a feature vector; add a Flatten or a global pooling first. Received " + in);
        }
        return Shape.of(units);
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        org.convnet4j.ops.DenseOp op = op(inputs.get(0), 1);
        ParamSpec k = new ParamSpec("kernel", op.weightShape(), true, Initializer.glorotUniform());
        return useBias ? List.of(k, new ParamSpec("bias", op.biasShape(), true, Initializer.zeros())) : List.of(k);
    }

    @Override
    public Bound bind(Binding b) {
        Backend be = b.backend();
        // Under bf16, from DenseOp.BF16_MIN_ROWS rows on, the matmul's inputs are rounded to BF16 and
        // accumulate in FP32 (DenseOp#compute); smaller batches are faster in FP32.
        org.convnet4j.ops.DenseOp op = op(output().inputs().get(0).shape(), b.batch())
                .withCompute(org.convnet4j.ops.DenseOp.computeFor(b.precision().activations(), b.batch()));
        Tensor x = b.input();
        Tensor y = b.output();
        Tensor w = b.param(0);
        Tensor bias = useBias ? b.param(1) : null;
        boolean relu = activation == ActivationFn.RELU;
        return new Bound() {
            @Override
            public void forward(boolean training, long step) {
                be.denseForward(op, x, w, bias, y);
                if (relu) {
                    be.reluForward(y, y);
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
                    be.denseBackwardData(op, dy, w, dx);
                }
                if (b.paramGrad(0) != null) { // null when frozen: only the input's gradient is wanted
                    be.denseBackwardWeights(op, x, dy, b.paramGrad(0), useBias ? b.paramGrad(1) : null);
                }
            }
        };
    }
}
