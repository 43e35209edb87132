package org.convnet4j.tensor;

/**
 * Element types a tensor can hold. Only FP32 is computed on today; INT32 carries sparse labels.
 * BF16 and FP16 are reserved so that storage sizes and checkpoints already know them.
 */
public enum DType {
    FP32(4), INT32(4), BF16(2), FP16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }
}
