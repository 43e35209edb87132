package org.convnet4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event files read back by a reader written here from the documents alone, not from our writer:
 * TFRecord framing as tensorflow/core/lib/io/record_writer.cc lays it out (uint64 length, masked
 * CRC32C of the length, data, masked CRC32C of the data; mask = rotate right 15 + 0xa282ead8), and
 * each record a tensorflow.Event (event.proto: wall_time = 1 double, step = 2 int64, file_version = 3
 * string, summary = 5) holding a Summary (summary.proto: value = 1, Value.tag = 1, simple_value = 2 float).
 */
class EventFileTest {
    @TempDir
    Path dir;

    record Event(double wallTime, long step, String fileVersion, List<Value> values) {
    }

    record Value(String tag, float simpleValue) {
    }

    @Test
    void recordsAreFramedAndHoldTheEventFieldsTensorBoardReads() throws IOException {
        double before = System.currentTimeMillis() / 1000.0;
        EventFile f = EventFile.create(dir.resolve("train"));
        f.scalar("epoch_loss", 1, 0.25);
        f.scalar("batch_learning_rate", 1875, 1e-3);
        f.scalar("epoch_accuracy", 0, 0.5);
        f.flush();
        double after = System.currentTimeMillis() / 1000.0 + 1;

        assertEquals(dir.resolve("train"), f.file().getParent());
        assertTrue(f.file().getFileName().toString().matches("events\\.out\\.tfevents\\.\\d{10}\\..+\\.\\d+\\.\\d+\\.v2"),
                f.file().getFileName().toString());
        List<Event> events = read(f.file());
        assertEquals(4, events.size());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertEquals(List.of(), events.get(0).values());
        assertEquals(new Value("epoch_loss", 0.25f), events.get(1).values().get(0));
        assertEquals(1, events.get(1).step());
        assertEquals(new Value("batch_learning_rate", 1e-3f), events.get(2).values().get(0));
        assertEquals(1875, events.get(2).step());
        assertEquals(0, events.get(3).step(), "step 0 left out, as proto3 does, reads back as 0");
        for (Event e : events) {
            assertTrue(e.wallTime() >= before - 1 && e.wallTime() <= after, "wall time " + e.wallTime());
        }
    }

    /** A flush appends: records queued later follow the earlier ones in the same file. */
    @Test
    void flushesAppendToTheSameFile() throws IOException {
        EventFile f = EventFile.create(dir);
        f.scalar("a", 1, 1);
        f.flush();
        f.flush();
        f.scalar("b", 2, 2);
        f.flush();
        List<Event> events = read(f.file());
        assertEquals(List.of("a", "b"), events.subList(1, 3).stream().map(e -> e.values().get(0).tag()).toList());
    }

    /** The framing's CRC is CRC32C (Castagnoli): the check value of "123456789" is 0xE3069283. */
    @Test
    void theChecksumIsCastagnoliMaskedAsTensorFlowMasksIt() {
        byte[] digits = "123456789".getBytes(StandardCharsets.US_ASCII);
        int crc = 0xE3069283;
        assertEquals(((crc >>> 15) | (crc << 17)) + 0xa282ead8, TfRecord.maskedCrc32c(digits, 0, 9));
        byte[] record = TfRecord.frame(new byte[] {7});
        assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, java.util.Arrays.copyOf(record, 8));
        assertEquals(8 + 4 + 1 + 4, record.length);
    }

    // ---- an independent reader

    static List<Event> read(Path file) throws IOException {
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
