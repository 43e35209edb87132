package org.convnet4j.ops;

import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * N x C x H x W to N x (C*H*W) as a view: no copy, no kernel. With NCHW storage the features come out
 * in C, H, W order (Keras with channels_last orders them H, W, C; parameter counts are unaffected).
 * Backward is the inverse view.
 */
public final class FlattenOp {
    /** The op's name in error messages. */
    public static final String OP = "flatten";

    private FlattenOp() {
    }

    /**
     * The flattened shape.
     *
     * @param input rank 2 to 5, batch first
     * @return N x (product of the other axes)
     * @throws IllegalArgumentException for another rank
     */
    public static Shape outputShape(Shape input) {
        Checks.rank(OP, "input", input, 2, 3, 4, 5);
        return Shape.of(input.dim(0), input.size() / input.dim(0));
    }

    /**
     * The forward: a view of x's storage in the flattened shape.
     *
     * @param x the input
     * @return a view of x's storage that does not own it; x stays the owner
     */
    public static Tensor forward(Tensor x) {
        return x.reshape(outputShape(x.shape()));
    }

    /**
     * The backward: a view of dy's storage in the input's shape.
     *
     * @param dy gradient of the flattened output
     * @param input the forward's input shape
     * @return a view of dy's storage that does not own it
     * @throws IllegalArgumentException if dy is not {@code outputShape(input)} FP32 NCHW
     */
    public static Tensor backward(Tensor dy, Shape input) {
        Checks.tensor(OP, "dy", dy, outputShape(input));
        return dy.reshape(input);
    }
}
