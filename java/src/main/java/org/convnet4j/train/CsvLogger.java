package org.convnet4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.convnet4j.io.AtomicFiles;
import org.convnet4j.report.History;

/**
 * Keras' CSVLogger: one CSV row per epoch, appended (and on disk) as soon as the epoch ends, with the
 * learning rate the epoch ended at: {@value #HEADER}. Epochs count from 1 and a metric not measured
 * (no validation data) is an empty field, as in the run folder's history.csv, which the command
 * line writes from the checkpoint instead.
 *
 * <p>Its folder is created if need be. Without {@code append} a run starts the file afresh; with it (a resumed run) the rows of the
 * epochs before the run's first are kept and any later ones, left by a run killed before its
 * checkpoint, are dropped, so the file never lists an epoch twice.
 */
public final class CsvLogger implements Callback {
    /** The CSV's first line. */
    public static final String HEADER = "epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds";

    private final Path file;
    private final boolean append;

    /**
     * A logger that starts {@code file} afresh, as Keras' default.
     *
     * @param file the CSV file
     */
    public CsvLogger(Path file) {
        this(file, false);
    }

    /**
     * A logger that, with {@code append}, continues {@code file} as a resumed run (see the class comment).
     *
     * @param file the CSV file
     * @param append true to continue the file
     */
    public CsvLogger(Path file, boolean append) {
        this.file = file;
        this.append = append;
    }

    /**
     * The CSV file written.
     *
     * @return the file
     */
    public Path file() {
        return file;
    }

    @Override
    public void onTrainBegin(TrainBegin run, Trainer trainer) {
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("CsvLogger: cannot create the folder of " + file + ": " + e, e);
        }
        List<String> kept = new ArrayList<>(List.of(HEADER));
        if (append && Files.isRegularFile(file)) {
            List<String> lines = read();
            if (!lines.isEmpty() && !lines.get(0).equals(HEADER)) {
                throw new IllegalStateException("CsvLogger: " + file + " does not start with \"" + HEADER
                        + "\"; not appending to a file of another format");
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                if (epochOf(line) < run.firstEpoch()) {
                    kept.add(line);
                }
            }
        }
        AtomicFiles.write(file, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean onEpochEnd(History.Epoch e, Trainer trainer) {
        String row = e.epoch() + "," + field(e.loss()) + "," + field(e.accuracy()) + "," + field(e.valLoss()) + ","
                + field(e.valAccuracy()) + "," + field(trainer.optimizer().learningRate()) + "," + field(e.seconds())
                + "\n";
        try {
            Files.writeString(file, row, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw new UncheckedIOException("CsvLogger: cannot append to " + file + ": " + ex, ex);
        }
        return false;
    }

    private int epochOf(String line) {
        int comma = line.indexOf(',');
        try {
            return Integer.parseInt(comma < 0 ? line : line.substring(0, comma));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("CsvLogger: " + file + " holds a row that does not start with an epoch"
                    + " number: \"" + line + "\"", e);
        }
    }

    private List<String> read() {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("CsvLogger: cannot read " + file + ": " + e, e);
        }
    }

    // As history.csv: empty for NaN, Python's spelling of infinities.
    private static String field(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return Double.toString(v);
    }
}
