package org.convnet4j.reference;

import org.convnet4j.ops.Adam;
import org.convnet4j.ops.SgdMomentum;

/**
 * The float64 oracle for the optimizer updates, written as Keras writes them. Both update their
 * arguments in place, as the backend primitives do.
 */
public final class OptimizerReference {
    private OptimizerReference() {
    }

    /**
     * Adam step t (1-based): {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
     * p -= lr sqrt(1-b2^t) / (1-b1^t) * m / (sqrt(v) + eps)}. Note eps is added to sqrt(v), not to the
     * bias-corrected sqrt(v hat): that is Keras' form, and it differs from PyTorch's when eps matters.
     * With a weight decay wd, AdamW as Keras and PyTorch apply it first shrinks the parameter,
     * {@code p -= lr * wd * p}, with the step's learning rate and apart from the gradient.
     */
    public static void adam(Adam op, long t, double[] param, double[] grad, double[] m, double[] v) {
        double b1 = op.beta1();
        double b2 = op.beta2();
        double eps = op.epsilon();
        double alpha = op.learningRate() * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
        double decay = (double) op.learningRate() * op.weightDecay();
        for (int i = 0; i < param.length; i++) {
            param[i] -= decay * param[i];
            m[i] = b1 * m[i] + (1 - b1) * grad[i];
            v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
            param[i] -= alpha * m[i] / (Math.sqrt(v[i]) + eps);
        }
    }

    /**
     * Clipping by global norm as TensorFlow's clip_by_global_norm: {@code norm = sqrt(sum g^2)} over
     * every gradient, and each scaled by {@code maxNorm / max(norm, maxNorm)} in place. Returns the
     * norm before clipping.
     */
    public static double clipByGlobalNorm(double maxNorm, double[]... grads) {
        double sum = 0;
        for (double[] g : grads) {
            for (double v : g) {
                sum += v * v;
            }
        }
        double norm = Math.sqrt(sum);
        double factor = maxNorm / Math.max(norm, maxNorm);
        for (double[] g : grads) {
            for (int i = 0; i < g.length; i++) {
                g[i] *= factor;
            }
        }
        return norm;
    }

    /** {@code velocity = momentum * velocity - lr * g; p += velocity}. */
    public static void sgdMomentum(SgdMomentum op, double[] param, double[] grad, double[] velocity) {
        double lr = op.learningRate();
        double mom = op.momentum();
        for (int i = 0; i < param.length; i++) {
            velocity[i] = mom * velocity[i] - lr * grad[i];
            param[i] += velocity[i];
        }
    }
}
