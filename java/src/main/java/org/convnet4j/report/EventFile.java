package org.convnet4j.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TensorBoard event file of scalar summaries, the format {@code tf.summary} and Keras' TensorBoard
 * callback write, so {@code tensorboard --logdir DIR} draws our runs. The file is a sequence of
 * {@link TfRecord}s, each holding one serialized {@code tensorflow.Event}
 * (tensorflow/core/util/event.proto): the first carries {@code file_version = "brain.Event:2"}, every
 * later one {@code wall_time}, {@code step} and a {@code Summary} with one {@code Value} of
 * {@code tag} and {@code simple_value}, the scalar form TensorBoard reads alongside tensor summaries.
 *
 * <p>Records are kept in memory until {@link #flush}, which appends them to the file and closes it
 * again, so no file handle outlives a call and a killed run leaves whole records (TensorBoard ignores
 * a cut-off last one). The name follows TensorFlow's, {@code events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2};
 * a resumed run writes a new file beside the old ones and TensorBoard reads them together.
 */
public final class EventFile {
    /** Event fields (event.proto). */
    private static final int WALL_TIME = 1;
    private static final int STEP = 2;
    private static final int FILE_VERSION = 3;
    private static final int SUMMARY = 5;
    /** Summary.value, and Summary.Value's tag and simple_value (summary.proto). */
    private static final int SUMMARY_VALUE = 1;
    private static final int VALUE_TAG = 1;
    private static final int VALUE_SIMPLE_VALUE = 2;

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Path file;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private EventFile(Path file) {
        this.file = file;
    }

    /**
     * Creates {@code dir} if needed and a new event file in it, holding the version record.
     *
     * @param dir the run's folder for one series, e.g. tensorboard/train
     * @return the open file
     */
    public static EventFile create(Path dir) {
        long seconds = System.currentTimeMillis() / 1000;
        String name = "events.out.tfevents." + seconds + "." + host() + "." + ProcessHandle.current().pid() + "."
                + COUNTER.getAndIncrement() + ".v2";
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the TensorBoard log folder " + dir + ": " + e, e);
        }
        EventFile f = new EventFile(dir.resolve(name));
        f.add(new Protobuf().float64(WALL_TIME, wallTime()).string(FILE_VERSION, "brain.Event:2"));
        f.flush();
        return f;
    }

    /**
     * The file's path.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }

    /**
     * Queues one scalar: {@code tag} at {@code step}, stamped with the current time.
     *
     * @param tag the series, e.g. "epoch_loss"
     * @param step the x value: epoch or step
     * @param value the y value
     */
    public void scalar(String tag, long step, double value) {
        Protobuf v = new Protobuf().string(VALUE_TAG, tag).float32(VALUE_SIMPLE_VALUE, (float) value);
        Protobuf event = new Protobuf().float64(WALL_TIME, wallTime());
        if (step != 0) {
            event.varint(STEP, step); // proto3 leaves a default value out
        }
        add(event.message(SUMMARY, new Protobuf().message(SUMMARY_VALUE, v)));
    }

    /** Appends the queued records to the file. */
    public void flush() {
        if (pending.size() == 0) {
            return;
        }
        try {
            Files.write(file, pending.toByteArray(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the TensorBoard events " + file + ": " + e, e);
        }
        pending.reset();
    }

    private void add(Protobuf event) {
        byte[] record = TfRecord.frame(event.toByteArray());
        pending.write(record, 0, record.length);
    }

    private static double wallTime() {
        return System.currentTimeMillis() / 1000.0;
    }

    private static String host() {
        try {
            String h = System.getenv("HOSTNAME");
            if (h == null || h.isBlank()) {
                h = InetAddress.getLocalHost().getHostName();
            }
            return h.isBlank() ? "localhost" : h.replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            return "localhost";
        }
    }
}
