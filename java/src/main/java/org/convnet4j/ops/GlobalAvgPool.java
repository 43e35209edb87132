package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

import org.convnet4j.tensor.Shape;

/** Mean over H and W of an N x C x H x W input; the output is N x C, as Keras' GlobalAveragePooling2D. */
public record GlobalAvgPool(Shape input) {
    public static final String OP = "global_avg_pool";

    public GlobalAvgPool {
        Checks.rank(OP, "input", input, 4);
    }

    public Shape outputShape() {
        return Shape.of(input.dim(0), input.dim(1));
    }

    public void checkForward(Tensor x, Tensor y) {
        Checks.activation(OP, "x", x, input);
        Checks.activation(OP, "y", y, outputShape());
    }

    public void checkBackward(Tensor dy, Tensor dx) {
        Checks.activation(OP, "dy", dy, outputShape());
        Checks.activation(OP, "dx", dx, input);
    }

    @Override
    public String toString() {
        return OP + "(input " + input + ")";
    }
}
