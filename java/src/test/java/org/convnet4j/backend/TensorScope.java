package org.convnet4j.backend;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * The tensors of one test, closed together: uploads from float64 test data (rounded to FP32, which is
 * what the reference is also given), outputs pre-filled with NaN so that an element a primitive forgot
 * to write shows up as NaN in the comparison, and downloads back to float64.
 */
final class TensorScope implements AutoCloseable {
    private final Backend backend;
    private final List<Tensor> owned = new ArrayList<>();

    TensorScope(Backend backend) {
        this.backend = backend;
    }

    Backend backend() {
        return backend;
    }

    Tensor upload(Shape shape, double[] values) {
        Tensor t = own(backend.allocate(shape));
        set(t, values);
        return t;
    }

    /** Sparse labels: an N-element INT32 tensor. */
    Tensor labels(int[] classes) {
        Tensor t = own(backend.allocate(Shape.of(classes.length), DType.INT32));
        backend.upload(classes, t);
        return t;
    }

    /** An output, every element NaN until a primitive writes it. */
    Tensor output(Shape shape) {
        return filled(shape, Float.NaN);
    }

    Tensor filled(Shape shape, double value) {
        Tensor t = own(backend.allocate(shape));
        backend.fill(t, (float) value);
        return t;
    }

    void set(Tensor t, double[] values) {
        if (values.length != t.size()) {
            throw new IllegalArgumentException("test data has " + values.length + " values for " + t);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        backend.upload(f, t);
    }

    double[] download(Tensor t) {
        float[] f = new float[Math.toIntExact(t.size())];
        backend.download(t, f);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }
}
