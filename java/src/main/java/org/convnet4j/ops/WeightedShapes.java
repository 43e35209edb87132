package org.convnet4j.ops;

import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * The argument checks of a layer with weights and an optional bias (convolution, dense), written
 * once: {@code kind} names it in the bias error ("a convolution"), {@code layer} is the op record.
 */
record WeightedShapes(String op, String kind, Object layer, Shape input, Shape weight, Shape output, Shape bias,
                      boolean hasBias) {

    void checkForward(Tensor x, Tensor w, Tensor b, Tensor y) {
        Checks.activation(op, "x", x, input);
        Checks.tensor(op, "w", w, weight);
        Checks.activation(op, "y", y, output);
        if (hasBias) {
            Checks.tensor(op, "bias", b, bias);
        } else if (b != null) {
            throw new IllegalArgumentException(op + ": a bias was passed to " + kind + " built without bias: " + layer);
        }
        Checks.distinct(op, "x", x, "y", y);
    }

    void checkBackwardData(Tensor dy, Tensor w, Tensor dx) {
        Checks.activation(op, "dy", dy, output);
        Checks.tensor(op, "w", w, weight);
        Checks.activation(op, "dx", dx, input);
    }

    void checkBackwardWeights(Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        Checks.activation(op, "x", x, input);
        Checks.activation(op, "dy", dy, output);
        Checks.tensor(op, "dw", dw, weight);
        if (dbias != null) {
            Checks.tensor(op, "dbias", dbias, bias);
        }
    }
}
