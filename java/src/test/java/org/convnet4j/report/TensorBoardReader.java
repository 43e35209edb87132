package org.convnet4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A TensorBoard event file reader written from the format documents alone, not from our writer:
 * TFRecord framing as tensorflow/core/lib/io/record_writer.cc lays it out (uint64 length, masked
 * CRC32C of the length, data, masked CRC32C of the data; mask = rotate right 15 + 0xa282ead8), and
 * each record a tensorflow.Event (event.proto: wall_time = 1 double, step = 2 int64, file_version = 3
 * string, summary = 5) holding a Summary (summary.proto: value = 1; Value.tag = 1, simple_value = 2
 * float). Every check is an assertion: a bad checksum or an unexpected field fails the test.
 */
public final class TensorBoardReader {
    public record Event(double wallTime, long step, String fileVersion, List<Value> values) {
    }

    public record Value(String tag, float simpleValue) {
    }

    private TensorBoardReader() {
    }

    public static List<Event> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (b.hasRemaining()) {
            byte[] lengthBytes = new byte[8];
            b.get(lengthBytes);
            long length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(masked(lengthBytes), b.getInt(), "length CRC of record " + events.size());
            byte[] data = new byte[Math.toIntExact(length)];
            b.get(data);
            assertEquals(masked(data), b.getInt(), "data CRC of record " + events.size());
            events.add(event(data));
        }
        return events;
    }

    private static int masked(byte[] bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes);
        int crc = (int) c.getValue();
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    private static Event event(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        double wallTime = 0;
        long step = 0;
        String version = null;
        List<Value> values = new ArrayList<>();
        while (b.hasRemaining()) {
            long key = varint(b);
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == 1 && wire == 1) {
                wallTime = b.getDouble();
            } else if (field == 2 && wire == 0) {
                step = varint(b);
            } else if (field == 3 && wire == 2) {
                version = new String(bytes(b), StandardCharsets.UTF_8);
            } else if (field == 5 && wire == 2) {
                values.addAll(summary(ByteBuffer.wrap(bytes(b)).order(ByteOrder.LITTLE_ENDIAN)));
            } else {
                throw new AssertionError("unexpected Event field " + field + " wire type " + wire);
            }
        }
        return new Event(wallTime, step, version, values);
    }

    private static List<Value> summary(ByteBuffer b) {
        List<Value> values = new ArrayList<>();
        while (b.hasRemaining()) {
            long key = varint(b);
            assertEquals(1 << 3 | 2, key, "Summary holds only values");
            ByteBuffer v = ByteBuffer.wrap(bytes(b)).order(ByteOrder.LITTLE_ENDIAN);
            String tag = null;
            float simple = Float.NaN;
            while (v.hasRemaining()) {
                long k = varint(v);
                if (k == (1 << 3 | 2)) {
                    tag = new String(bytes(v), StandardCharsets.UTF_8);
                } else if (k == (2 << 3 | 5)) {
                    simple = v.getFloat();
                } else {
                    throw new AssertionError("unexpected Summary.Value key " + k);
                }
            }
            values.add(new Value(tag, simple));
        }
        return values;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[Math.toIntExact(varint(b))];
        b.get(out);
        return out;
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b.get() & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if (x < 0x80) {
                return v;
            }
        }
    }
}
