package org.convnet4j.io;

import org.convnet4j.tensor.DType;

/**
 * Element types a checkpoint can store, spelled as the safetensors header spells them. A subset of
 * the format's list: the types this library computes in (F32), carries labels and counters in (I32,
 * I64), reserves for mixed precision (F16, BF16), and raw bytes (U8).
 */
public enum ElementType {
    /** 32-bit floats. */
    F32(4),
    /** 32-bit signed integers. */
    I32(4),
    /** 64-bit signed integers. */
    I64(8),
    /** IEEE half precision. */
    F16(2),
    /** bfloat16. */
    BF16(2),
    /** Unsigned bytes. */
    U8(1);

    private final int bytes;

    ElementType(int bytes) {
        this.bytes = bytes;
    }

    /**
     * Size of one element in bytes.
     *
     * @return 1, 2, 4 or 8
     */
    public int bytes() {
        return bytes;
    }

    /**
     * The stored type of a tensor's element type.
     *
     * @param type a tensor's element type
     * @return how it is stored
     */
    public static ElementType of(DType type) {
        return switch (type) {
            case FP32 -> F32;
            case INT32 -> I32;
            case FP16 -> F16;
            case BF16 -> BF16;
        };
    }

    /** The type a header names, or null for a name outside this subset. */
    static ElementType parse(String name) {
        for (ElementType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
