package org.convnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.convnet4j.io.NamedTensor;

/** Bit-for-bit equality of two checkpoint tensors, with the key in the message. */
final class NamedEquality {
    private NamedEquality() {
    }

    static void assertSame(String key, NamedTensor a, NamedTensor b) {
        assertArrayEquals(a.shape(), b.shape(), key + " shape");
        assertArrayEquals(a.toBytes(), b.toBytes(), key + " differs between the uninterrupted and the resumed run");
    }
}
