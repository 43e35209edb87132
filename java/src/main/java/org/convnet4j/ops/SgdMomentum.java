package org.convnet4j.ops;

/** SGD with momentum as Keras: {@code velocity = momentum * velocity - lr * g; p += velocity}. */
public record SgdMomentum(float learningRate, float momentum) {
    public static final String OP = "sgd_momentum";

    public SgdMomentum {
        if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException(OP + ": expected lr > 0 and momentum in [0, 1). Received lr="
                    + learningRate + ", momentum=" + momentum);
        }
    }
}
