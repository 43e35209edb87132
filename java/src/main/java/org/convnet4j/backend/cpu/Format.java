package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Tensor;

/**
 * How a tensor's elements are stored: element type and memory order, the two things a oneDNN memory
 * descriptor needs beyond the shape. Primitives are cached per op and per the formats of the tensors
 * they are run on, so one op may run in FP32 NCHW and in BF16 NHWC from the same backend.
 */
record Format(DType dtype, Layout layout) {
    /** FP32 in NCHW (row-major) order: parameters, host transfers, and every tensor of an fp32 NCHW plan. */
    static final Format PLAIN = new Format(DType.FP32, Layout.NCHW);

    static Format of(Tensor t) {
        return new Format(t.dtype(), t.layout());
    }

    /** The same memory order with another element type. */
    Format with(DType type) {
        return new Format(type, layout);
    }

    /** oneDNN's data type for this element type. */
    int dataType() {
        return dataType(dtype);
    }

    static int dataType(DType t) {
        return switch (t) {
            case FP32 -> dnnl_f32;
            case BF16 -> dnnl_bf16;
            case FP16 -> dnnl_f16;
            case INT32 -> dnnl_s32;
        };
    }

    /** oneDNN's format tag for a tensor of this rank in this order (NHWC is {@code acdb}). */
    int tag(int rank) {
        if (layout == Layout.NHWC) {
            if (rank != 4) {
                throw new IllegalArgumentException("oneDNN: NHWC needs rank 4. Received rank " + rank);
            }
            return dnnl_acdb;
        }
        return Dnnl.plainTag(rank);
    }

    /** The element type a primitive computes in when it reads and writes tensors of these formats: BF16 if any is. */
    static DType compute(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && t.dtype() == DType.BF16) {
                return DType.BF16;
            }
        }
        return DType.FP32;
    }

    @Override
    public String toString() {
        return dtype + "/" + layout;
    }
}
