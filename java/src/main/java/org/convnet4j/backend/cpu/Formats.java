package org.convnet4j.backend.cpu;

import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Tensor;

/** Format checks and format-dispatched native loops shared by the CPU op families. */
final class Formats {
    private Formats() {
    }

    /** The one format both tensors are stored in; an op that copies or maps element-wise cannot change it. */
    static Format same(String op, Tensor a, Tensor b) {
        Format f = Format.of(a);
        if (!f.equals(Format.of(b))) {
            throw new IllegalArgumentException(op + ": expected tensors in one format. Received " + a + " and " + b);
        }
        return f;
    }

    /** Every element set to {@code value} (rounded to BF16 for a BF16 tensor). */
    static void fill(Tensor t, float value) {
        if (t.dtype() == DType.BF16) {
            CpuKernels.fillBf16(t.address(), t.size(), value);
        } else if (t.dtype() == DType.FP32) {
            CpuKernels.fill(t.address(), t.size(), value);
        } else {
            throw new IllegalArgumentException("fill: expected an FP32 or BF16 tensor. Received " + t);
        }
    }
}
