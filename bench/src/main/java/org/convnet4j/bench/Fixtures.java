package org.convnet4j.bench;

import java.util.SplittableRandom;

import org.convnet4j.backend.Backend;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/** Seeded random tensors for benchmarks: real-looking values, so no kernel takes a zero shortcut. */
final class Fixtures {
    private Fixtures() {
    }

    static Tensor random(Backend backend, Shape shape, long seed) {
        return random(backend, shape, seed, org.convnet4j.tensor.DType.FP32, org.convnet4j.tensor.Layout.NCHW);
    }

    /** Uniform [-1, 1) values in a tensor stored in that type and layout (the upload converts). */
    static Tensor random(Backend backend, Shape shape, long seed, org.convnet4j.tensor.DType type,
                         org.convnet4j.tensor.Layout layout) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        Tensor t = backend.allocate(shape, type, layout);
        backend.upload(a, t);
        return t;
    }
}
