package org.convnet4j.ops;

import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * N x C x H x W to N x (C*H*W) as a view: no copy, no kernel. With NCHW storage the features come out
 * in C, H, W order (Keras with channels_last orders them H, W, C; parameter counts are unaffected).
 * Backward is the inverse view.
 */
public final class FlattenOp {
    public static final String OP = "flatten";

    private FlattenOp() {
    }

    public static Shape outputShape(Shape input) {
        Checks.rank(OP, "input", input, 2, 3, 4, 5);
        return Shape.of(input.dim(0), input.size() / input.dim(0));
    }

    public static Tensor forward(Tensor x) {
        return x.reshape(outputShape(x.shape()));
    }

    public static Tensor backward(Tensor dy, Shape input) {
        Checks.tensor(OP, "dy", dy, outputShape(input));
        return dy.reshape(input);
    }
}
