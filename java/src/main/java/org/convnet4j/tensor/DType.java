package org.convnet4j.tensor;

/**
 * Element types a tensor can hold. FP32 is the master type (weights, optimizer state, statistics,
 * losses); BF16 holds activations under the bf16 precision on both backends, FP16 under fp16 on CUDA
 * only; INT32 carries sparse labels.
 */
public enum DType {
    /** IEEE 754 single precision: every op computes on it, and accumulates in it. */
    FP32(4),
    /** 32-bit signed integers: sparse class labels. */
    INT32(4),
    /** bfloat16: FP32's exponent, 8 bits of mantissa. */
    BF16(2),
    /** IEEE 754 half precision. */
    FP16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /**
     * Size of one element in bytes.
     *
     * @return 4 for FP32 and INT32, 2 for BF16 and FP16
     */
    public int bytes() {
        return bytes;
    }
}
