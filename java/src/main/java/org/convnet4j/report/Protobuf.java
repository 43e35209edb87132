package org.convnet4j.report;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few protocol-buffer encodings an event file needs, written by hand: TensorBoard's Event and
 * Summary messages are all we emit, and only a fixed handful of their fields, so a dependency on
 * protobuf-java would buy nothing. Wire format as protobuf.dev/programming-guides/encoding describes
 * it: each field is a key {@code (field << 3) | wire type} as a varint, then a varint (type 0), eight
 * little-endian bytes (type 1), a varint length and the bytes (type 2), or four little-endian bytes
 * (type 5). Fields are written in the order given; a reader accepts any order.
 */
final class Protobuf {
    static final int VARINT = 0;
    static final int I64 = 1;
    static final int LEN = 2;
    static final int I32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A varint field (int64 and friends; negative values take ten bytes, as protobuf writes them). */
    Protobuf varint(int field, long value) {
        key(field, VARINT);
        rawVarint(value);
        return this;
    }

    /** A double field. */
    Protobuf float64(int field, double value) {
        key(field, I64);
        long bits = Double.doubleToLongBits(value);
        for (int i = 0; i < 8; i++) {
            out.write((int) (bits >>> (8 * i)));
        }
        return this;
    }

    /** A float field. */
    Protobuf float32(int field, float value) {
        key(field, I32);
        int bits = Float.floatToIntBits(value);
        for (int i = 0; i < 4; i++) {
            out.write(bits >>> (8 * i));
        }
        return this;
    }

    /** A string field, UTF-8. */
    Protobuf string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** An embedded message field. */
    Protobuf message(int field, Protobuf value) {
        return bytes(field, value.toByteArray());
    }

    Protobuf bytes(int field, byte[] value) {
        key(field, LEN);
        rawVarint(value.length);
        out.write(value, 0, value.length);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void key(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    private void rawVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
