package org.convnet4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event files read back by {@link TensorBoardReader}, written from the format documents: the framing
 * and its checksums, and the Event and Summary fields TensorBoard reads.
 */
class EventFileTest {
    @TempDir
    Path dir;

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
        List<TensorBoardReader.Event> events = TensorBoardReader.read(f.file());
        assertEquals(4, events.size());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertEquals(List.of(), events.get(0).values());
        assertEquals(new TensorBoardReader.Value("epoch_loss", 0.25f), events.get(1).values().get(0));
        assertEquals(1, events.get(1).step());
        assertEquals(new TensorBoardReader.Value("batch_learning_rate", 1e-3f), events.get(2).values().get(0));
        assertEquals(1875, events.get(2).step());
        assertEquals(0, events.get(3).step(), "step 0 left out, as proto3 does, reads back as 0");
        for (TensorBoardReader.Event e : events) {
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
        List<TensorBoardReader.Event> events = TensorBoardReader.read(f.file());
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
}
