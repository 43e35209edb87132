package org.convnet4j.graph;

import java.util.SplittableRandom;

import org.convnet4j.tensor.Shape;

/** Fills a parameter's initial values, as Keras' initializers do. */
@FunctionalInterface
public interface Initializer {
    /**
     * Writes a parameter's initial values.
     *
     * @param values the parameter's values, row-major
     * @param shape its shape
     * @param random the parameter's own stream
     */
    void fill(float[] values, Shape shape, SplittableRandom random);

    /**
     * All zeros: biases, beta, moving means.
     *
     * @return the initializer
     */
    static Initializer zeros() {
        return (v, s, r) -> java.util.Arrays.fill(v, 0f);
    }

    /**
     * All ones: gamma, moving variances.
     *
     * @return the initializer
     */
    static Initializer ones() {
        return (v, s, r) -> java.util.Arrays.fill(v, 1f);
    }

    /**
     * Keras' glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)). For a dense
     * kernel (in, out) the fans are in and out; for a convolution kernel (out, in, kh, kw) they are
     * in*kh*kw and out*kh*kw, the receptive field times the channels, as Keras computes them.
     *
     * @return the initializer
     */
    static Initializer glorotUniform() {
        return (v, s, r) -> {
            double fanIn;
            double fanOut;
            if (s.rank() == 4) {
                double field = s.dim(2) * s.dim(3);
                fanIn = s.dim(1) * field;
                fanOut = s.dim(0) * field;
            } else if (s.rank() == 2) {
                fanIn = s.dim(0);
                fanOut = s.dim(1);
            } else {
                fanIn = fanOut = s.size();
            }
            double limit = Math.sqrt(6.0 / (fanIn + fanOut));
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((r.nextDouble() * 2 - 1) * limit);
            }
        };
    }
}
