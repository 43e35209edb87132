package org.convnet4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
    @TempDir
    Path dir;

    @Test
    void csvRoundTripsIncludingMissingValues() throws IOException {
        History h = new History();
        h.add(new History.Epoch(1, 2.302585092994046, 0.1125, 2.1, 0.2, 12.5));
        h.add(History.Epoch.train(2, 0.5, 0.875, 11.0));
        h.add(new History.Epoch(3, Double.POSITIVE_INFINITY, 0.1, Double.NaN, 0.3, 1e-3));
        Path file = dir.resolve("history.csv");

        h.writeCsv(file);

        assertEquals(String.join("\n",
                "epoch,loss,accuracy,val_loss,val_accuracy,seconds",
                "1,2.302585092994046,0.1125,2.1,0.2,12.5",
                "2,0.5,0.875,,,11.0",
                "3,inf,0.1,,0.3,0.001",
                ""), Files.readString(file));
        assertEquals(h.epochs(), History.readCsv(file).epochs(), "record equality treats NaN as equal");
        assertEquals(3, History.readCsv(file).last().epoch());
    }

    @Test
    void emptyHistoryIsJustTheHeader() throws IOException {
        Path file = dir.resolve("empty.csv");
        new History().writeCsv(file);
        assertEquals(History.CSV_HEADER + "\n", Files.readString(file));
        assertTrue(History.readCsv(file).isEmpty());
    }

    @Test
    void malformedCsvNamesFileAndLine() throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, History.CSV_HEADER + "\n1,0.5,0.5,,,1\n2,0.4,0.6,,\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> History.readCsv(file));
        assertEquals(file + " line 3: expected 6 fields (" + History.CSV_HEADER + "), received 5: \"2,0.4,0.6,,\"",
                e.getMessage());

        Files.writeString(file, "epoch,loss\n");
        e = assertThrows(IllegalArgumentException.class, () -> History.readCsv(file));
        assertTrue(e.getMessage().startsWith(file + " line 1: expected the header"), e.getMessage());

        Files.writeString(file, History.CSV_HEADER + "\n2,0.5,0.5,,,1\n2,0.4,0.6,,,1\n");
        e = assertThrows(IllegalArgumentException.class, () -> History.readCsv(file));
        assertEquals(file + " line 3: Epoch numbers must increase: expected more than 2, received 2",
                e.getMessage());

        Files.writeString(file, History.CSV_HEADER + "\n1,abc,0.5,,,1\n");
        e = assertThrows(IllegalArgumentException.class, () -> History.readCsv(file));
        assertEquals(file + " line 2: expected numbers, received \"1,abc,0.5,,,1\"", e.getMessage());
    }

    @Test
    void epochsCountFromOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new History().add(History.Epoch.train(0, 1, 0, 1)));
        assertEquals("Epochs are numbered from 1. Received epoch=0", e.getMessage());
    }

    @Test
    void csvTextRoundTripsWithoutAFile() {
        History h = new History();
        h.add(new History.Epoch(1, 2.302585092994046, 0.1125, 2.1, 0.2, 12.5));
        h.add(History.Epoch.train(2, Double.NEGATIVE_INFINITY, 0.875, 11.0));
        h.add(History.Epoch.train(3, 0.25, 0.9, 10.0));
        assertEquals(h.epochs(), History.fromCsv(h.toCsv(), "text").epochs());
        assertEquals(h.epochs().subList(0, 2), h.through(2).epochs());
        assertTrue(h.through(0).isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> History.fromCsv(History.CSV_HEADER + "\n1,x,0,,,1\n", "metadata field \"history\""));
        assertEquals("metadata field \"history\" line 2: expected numbers, received \"1,x,0,,,1\"", e.getMessage());
    }
}
