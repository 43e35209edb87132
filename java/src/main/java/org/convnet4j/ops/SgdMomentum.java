package org.convnet4j.ops;

import org.convnet4j.tensor.Tensor;

/** SGD with momentum as Keras: {@code velocity = momentum * velocity - lr * g; p += velocity}. */
public record SgdMomentum(float learningRate, float momentum) {
    /** The op's name in messages. */
    public static final String OP = "sgd_momentum";

    /**
     * SGD's settings, checked.
     *
     * @param learningRate the step size, &gt; 0
     * @param momentum the velocity's decay, in [0, 1)
     */
    public SgdMomentum {
        if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException(OP + ": expected lr > 0 and momentum in [0, 1). Received lr="
                    + learningRate + ", momentum=" + momentum);
        }
    }

    /**
     * Checks one parameter's tensors: grad and velocity shaped like param.
     *
     * @param param the parameter
     * @param grad its gradient
     * @param velocity its velocity
     */
    public static void checkTensors(Tensor param, Tensor grad, Tensor velocity) {
        if (param == null) {
            throw new IllegalArgumentException(OP + ": param is null");
        }
        Checks.tensor(OP, "param", param, param.shape());
        Checks.tensor(OP, "grad", grad, param.shape());
        Checks.tensor(OP, "velocity", velocity, param.shape());
    }
}
