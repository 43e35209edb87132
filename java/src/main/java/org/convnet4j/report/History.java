package org.convnet4j.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.convnet4j.io.AtomicFiles;

/**
 * What training reported after each epoch, kept as Keras' CSVLogger keeps it: one CSV row per epoch,
 * rewritten after every epoch so a resumed run can read where it stopped.
 */
public final class History {
    /** The CSV header, fixed so scripts and {@link #readCsv} can rely on the columns. */
    public static final String CSV_HEADER = "epoch,loss,accuracy,val_loss,val_accuracy,seconds";

    /**
     * One epoch's metrics. epoch counts from 1; a value that was not measured (no validation set) is
     * NaN and is written as an empty CSV field.
     *
     * @param epoch the epoch, from 1
     * @param loss the mean training loss
     * @param accuracy the training accuracy, in [0, 1]
     * @param valLoss the validation loss, or NaN
     * @param valAccuracy the validation accuracy, or NaN
     * @param seconds the epoch's wall time in seconds
     */
    public record Epoch(int epoch, double loss, double accuracy, double valLoss, double valAccuracy,
                        double seconds) {
        /**
         * An epoch without validation.
         *
         * @param epoch the epoch, from 1
         * @param loss the mean training loss
         * @param accuracy the training accuracy
         * @param seconds the epoch's wall time
         * @return the epoch, validation NaN
         */
        public static Epoch train(int epoch, double loss, double accuracy, double seconds) {
            return new Epoch(epoch, loss, accuracy, Double.NaN, Double.NaN, seconds);
        }

        /**
         * Whether the epoch was validated.
         *
         * @return true when a validation metric was measured
         */
        public boolean hasValidation() {
            return !Double.isNaN(valLoss) || !Double.isNaN(valAccuracy);
        }
    }

    private final List<Epoch> epochs = new ArrayList<>();

    /**
     * Appends an epoch; epoch numbers must increase, so a resumed run continues where it stopped.
     *
     * @param e the next epoch
     */
    public void add(Epoch e) {
        if (e.epoch() < 1) {
            throw new IllegalArgumentException("Epochs are numbered from 1. Received epoch=" + e.epoch());
        }
        if (!epochs.isEmpty() && e.epoch() <= last().epoch()) {
            throw new IllegalArgumentException("Epoch numbers must increase: expected more than "
                    + last().epoch() + ", received " + e.epoch());
        }
        epochs.add(e);
    }

    /**
     * The epochs so far, in order.
     *
     * @return an unmodifiable view
     */
    public List<Epoch> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /**
     * The number of epochs so far.
     *
     * @return the count
     */
    public int size() {
        return epochs.size();
    }

    /**
     * Whether no epoch was added yet.
     *
     * @return true for a new history
     */
    public boolean isEmpty() {
        return epochs.isEmpty();
    }

    /**
     * The latest epoch; the one a resumed run continues after.
     *
     * @return the last epoch added
     */
    public Epoch last() {
        if (epochs.isEmpty()) {
            throw new IllegalStateException("The history has no epochs yet");
        }
        return epochs.get(epochs.size() - 1);
    }

    /**
     * The epochs up to and including {@code epoch}: what a checkpoint saved after that epoch had seen.
     *
     * @param epoch the last epoch to keep
     * @return a new history
     */
    public History through(int epoch) {
        History h = new History();
        for (Epoch e : epochs) {
            if (e.epoch() <= epoch) {
                h.add(e);
            }
        }
        return h;
    }

    /**
     * The CSV text: the header and one line per epoch, each ending in a newline.
     *
     * @return the CSV
     */
    public String toCsv() {
        StringBuilder b = new StringBuilder(CSV_HEADER).append('\n');
        for (Epoch e : epochs) {
            b.append(e.epoch()).append(',').append(field(e.loss())).append(',').append(field(e.accuracy()))
                    .append(',').append(field(e.valLoss())).append(',').append(field(e.valAccuracy()))
                    .append(',').append(field(e.seconds())).append('\n');
        }
        return b.toString();
    }

    /**
     * Writes the CSV atomically, so a run killed mid-write leaves the previous epochs readable.
     *
     * @param file the CSV file to replace or create
     */
    public void writeCsv(Path file) {
        AtomicFiles.write(file, toCsv().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a CSV that {@link #writeCsv} wrote; a malformed line is an error naming file and line.
     *
     * @param file the CSV file
     * @return the history it holds
     */
    public static History readCsv(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read history " + file + ": " + e, e);
        }
        return parse(lines, file.toString());
    }

    /**
     * Parses text that {@link #toCsv} wrote, held somewhere other than a file (a checkpoint's metadata);
     * errors name {@code source} and the line, as {@link #readCsv} names the file.
     *
     * @param text the CSV
     * @param source what to call it in errors
     * @return the history it holds
     */
    public static History fromCsv(String text, String source) {
        return parse(text.lines().toList(), source);
    }

    private static History parse(List<String> lines, String source) {
        if (lines.isEmpty() || !lines.get(0).equals(CSV_HEADER)) {
            throw new IllegalArgumentException(source + " line 1: expected the header \"" + CSV_HEADER
                    + "\", received \"" + (lines.isEmpty() ? "" : lines.get(0)) + "\"");
        }
        History h = new History();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.isEmpty()) {
                h.addParsed(source, i + 1, line);
            }
        }
        return h;
    }

    private void addParsed(String source, int lineNumber, String line) {
        String where = source + " line " + lineNumber;
        String[] f = line.split(",", -1);
        if (f.length != 6) {
            throw new IllegalArgumentException(where + ": expected 6 fields (" + CSV_HEADER + "), received "
                    + f.length + ": \"" + line + "\"");
        }
        try {
            add(new Epoch(Integer.parseInt(f[0]), parse(f[1]), parse(f[2]), parse(f[3]), parse(f[4]),
                    parse(f[5])));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": expected numbers, received \"" + line + "\"", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    // Empty for NaN, as CSVLogger leaves a missing metric; "inf" as Python and pandas spell it, since a
    // diverged loss should survive the round trip.
    private static String field(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return Double.toString(v);
    }

    private static double parse(String s) {
        return switch (s) {
            case "", "nan", "NaN" -> Double.NaN;
            case "inf", "Infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }
}
