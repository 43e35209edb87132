package org.convnet4j.train;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
import org.convnet4j.io.Checkpoint;
import org.convnet4j.io.CheckpointException;
import org.convnet4j.io.NamedTensor;
import org.convnet4j.io.SafeTensors;
import org.convnet4j.io.TensorSpec;
import org.convnet4j.report.History;
import org.convnet4j.tensor.Tensor;

/**
 * A trainer's full state as one safetensors file: every parameter under its layer path
 * ({@code conv2d_1/kernel}), the optimizer's moments under {@code optimizer/<key>/m} and {@code /v},
 * the iteration count as {@code optimizer/iterations} (and with a {@link LossScaler} its scale and
 * good-step count, {@link #LOSS_SCALE}); the epoch, the run's seed and its history
 * through that epoch in the metadata. Shuffling and dropout are pure functions of (seed, epoch, step),
 * so these are the whole RNG state: a run resumed from the file ends with the same weights as an
 * uninterrupted one, and with the same history, whatever became of history.csv. The weights alone load
 * into bare {@link Weights} ({@link #loadWeights}: evaluation, prediction, a service); the whole state
 * into a trainer ({@link #loadTrainingState}: resuming).
 */
public final class Checkpoints {
    /** Metadata key: the epochs trained when the checkpoint was written. */
    public static final String EPOCH = "epoch";
    /** Metadata key: the run's seed. */
    public static final String SEED = "seed";
    /** Metadata key: the model's name. */
    public static final String MODEL = "model";
    /** Metadata key of the history through the checkpoint's epoch, as the text of history.csv. */
    public static final String HISTORY = "history";
    /**
     * Metadata key of the class names, one per line in label order, so a predictor made from the file
     * names its classes without the data set.
     */
    public static final String CLASS_NAMES = "class_names";
    /** The loss scaler's scale (F32, 1 element), saved where the optimizer has a {@link LossScaler}. */
    public static final String LOSS_SCALE = "optimizer/loss_scale";
    /** The loss scaler's count of good steps in a row (I64, 1 element), saved with {@link #LOSS_SCALE}. */
    public static final String LOSS_SCALE_GOOD_STEPS = "optimizer/loss_scale_good_steps";

    /** Prefix of the run's settings in the metadata ({@link #run}): run/batch_size, run/learning_rate, ... */
    public static final String RUN = "run/";

    private Checkpoints() {
    }

    /**
     * Writes atomically (temporary file, fsync, rename), without a history.
     *
     * @param file the checkpoint file, replaced atomically
     * @param t the trainer whose weights and optimizer state to save
     * @param epoch the epochs trained so far
     * @param seed the run's seed
     */
    public static void save(Path file, Trainer t, int epoch, long seed) {
        save(file, t, epoch, seed, null);
    }

    /**
     * Writes atomically (temporary file, fsync, rename). history (may be null) is the run's history;
     * its epochs through {@code epoch} go into the metadata, so the checkpoint and the history it
     * resumes with are one file and cannot disagree: a kill between writing this file and history.csv
     * loses nothing.
     *
     * @param file the checkpoint file, replaced atomically
     * @param t the trainer whose weights and optimizer state to save
     * @param epoch the epochs trained so far
     * @param seed the run's seed
     * @param history the epochs so far, or null
     */
    public static void save(Path file, Trainer t, int epoch, long seed, History history) {
        save(file, t, epoch, seed, history, null);
    }

    /**
     * As {@link #save(Path, Trainer, int, long, History)}, with the class names (may be null: none) in
     * label order, one per model class; {@link #classNames} reads them back. A name may not be blank or
     * hold a line break.
     *
     * @param file the checkpoint file, replaced atomically
     * @param t the trainer whose weights and optimizer state to save
     * @param epoch the epochs trained so far
     * @param seed the run's seed
     * @param history the epochs so far, or null
     * @param classNames the class names, or null
     */
    public static void save(Path file, Trainer t, int epoch, long seed, History history, List<String> classNames) {
        save(file, t, epoch, seed, history, classNames, null);
    }

    /**
     * As {@link #save(Path, Trainer, int, long, History, List)}, with the settings of the run that wrote
     * it (may be null: none), stored under {@value #RUN}{@code <key>} and read back by {@link #run}, so
     * a resumed run can be checked against them from the checkpoint alone.
     *
     * @param file the checkpoint file, replaced atomically
     * @param t the trainer whose weights and optimizer state to save
     * @param epoch the epochs trained so far
     * @param seed the run's seed
     * @param history the epochs so far, or null
     * @param classNames the class names, or null
     * @param run the run's settings, or null
     */
    public static void save(Path file, Trainer t, int epoch, long seed, History history, List<String> classNames,
                            Map<String, String> run) {
        String names = classNames == null ? null : joinClassNames(classNames, t.model().classes());
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        for (ParamRef p : t.model().params()) {
            tensors.put(p.key(), floats(t, t.weights().get(p)));
        }
        Optimizer o = t.optimizer();
        for (ParamRef p : t.model().params()) {
            if (o.firstMoment(p.index()) != null) {
                tensors.put("optimizer/" + p.key() + "/m", floats(t, o.firstMoment(p.index())));
            }
            if (o.secondMoment(p.index()) != null) {
                tensors.put("optimizer/" + p.key() + "/v", floats(t, o.secondMoment(p.index())));
            }
        }
        tensors.put("optimizer/iterations", NamedTensor.ofLongs(new long[] {o.iterations()}, 1));
        if (o.lossScaler() != null) {
            tensors.put(LOSS_SCALE, NamedTensor.ofFloats(new float[] {o.lossScaler().scale()}, 1));
            tensors.put(LOSS_SCALE_GOOD_STEPS, NamedTensor.ofLongs(new long[] {o.lossScaler().goodSteps()}, 1));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(MODEL, t.model().name());
        meta.put(EPOCH, Integer.toString(epoch));
        meta.put(SEED, Long.toString(seed));
        meta.put("optimizer", o.isAdam() ? "adam" : "sgd_momentum");
        meta.put("format", "convnet4j/1");
        if (history != null) {
            meta.put(HISTORY, history.through(epoch).toCsv());
        }
        if (names != null) {
            meta.put(CLASS_NAMES, names);
        }
        if (run != null) {
            run.forEach((k, v) -> meta.put(RUN + k, v));
        }
        SafeTensors.write(file, tensors, meta);
    }

    /**
     * The settings of the run that wrote the checkpoint, by key (empty for a file that holds none).
     *
     * @param c a checkpoint as read
     * @return the settings by key, empty when none were recorded
     */
    public static Map<String, String> run(Checkpoint c) {
        return run(c.metadata());
    }

    /**
     * The same from a checkpoint's metadata alone ({@code SafeTensors.metadata}: no tensor is read).
     *
     * @param metadata a checkpoint's metadata
     * @return the settings by key, empty when none were recorded
     */
    public static Map<String, String> run(Map<String, String> metadata) {
        Map<String, String> out = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (k.startsWith(RUN)) {
                out.put(k.substring(RUN.length()), v);
            }
        });
        return out;
    }

    /**
     * The epoch the checkpoint was saved after; 0 for a file without one. A value that is not a
     * non-negative integer is an error naming the file and the field.
     *
     * @param c a checkpoint as read
     * @return the epochs trained
     */
    public static int epoch(Checkpoint c) {
        String v = c.metadata().get(EPOCH);
        if (v == null) {
            return 0;
        }
        try {
            int epoch = Integer.parseInt(v);
            if (epoch >= 0) {
                return epoch;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CheckpointException(c.file(), "metadata field \"" + EPOCH
                + "\" must be a non-negative integer, found \"" + v + "\"");
    }

    /**
     * The seed of the run that wrote the checkpoint, if recorded; a malformed one is an error naming the field.
     *
     * @param c a checkpoint as read
     * @return the seed, or empty
     */
    public static OptionalLong seed(Checkpoint c) {
        String v = c.metadata().get(SEED);
        if (v == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            throw new CheckpointException(c.file(), "metadata field \"" + SEED + "\" must be an integer, found \""
                    + v + "\"");
        }
    }

    /**
     * The class names the checkpoint carries, in label order; empty for a file written without them (by
     * an older version, or from data without names). A field with a blank name is an error naming the file.
     *
     * @param c a checkpoint as read
     * @return the names, or empty
     */
    public static Optional<List<String>> classNames(Checkpoint c) {
        String v = c.metadata().get(CLASS_NAMES);
        if (v == null) {
            return Optional.empty();
        }
        List<String> names = List.of(v.split("\n", -1));
        if (names.stream().anyMatch(String::isBlank)) {
            throw new CheckpointException(c.file(), "metadata field \"" + CLASS_NAMES
                    + "\" must hold one non-blank class name per line, found \"" + v.replace("\n", "\\n") + "\"");
        }
        return Optional.of(names);
    }

    private static String joinClassNames(List<String> names, int classes) {
        if (names.size() != classes) {
            throw new IllegalArgumentException("Checkpoints.save: expected " + classes + " class names, one per model"
                    + " class. Received " + names.size() + ": " + names);
        }
        for (String n : names) {
            if (n.isBlank() || n.indexOf('\n') >= 0 || n.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("Checkpoints.save: a class name may not be blank or hold a line"
                        + " break. Received \"" + n + "\"");
            }
        }
        return String.join("\n", names);
    }

    /**
     * The history a run resumed from {@code c} continues: the one the checkpoint carries (epochs through
     * its own), whatever {@code historyCsv} holds. A checkpoint written without a history (by an older
     * version) falls back to historyCsv's epochs through the checkpoint's, or none if there is no file.
     *
     * @param c a checkpoint as read
     * @param historyCsv the history.csv beside it, which may not exist
     * @return the history through the checkpoint's epoch
     */
    public static History history(Checkpoint c, Path historyCsv) {
        History h = storedHistory(c);
        if (h != null) {
            return h;
        }
        return Files.isRegularFile(historyCsv) ? History.readCsv(historyCsv).through(epoch(c)) : new History();
    }

    /** The history the checkpoint carries, checked; null if it carries none. */
    private static History storedHistory(Checkpoint c) {
        String text = c.metadata().get(HISTORY);
        if (text == null) {
            return null;
        }
        History h;
        try {
            h = History.fromCsv(text, "metadata field \"" + HISTORY + "\"");
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(c.file(), e.getMessage(), e);
        }
        int epoch = epoch(c);
        if (!h.isEmpty() && h.last().epoch() > epoch) {
            throw new CheckpointException(c.file(), "metadata field \"" + HISTORY + "\" has epoch " + h.last().epoch()
                    + ", after the checkpoint's epoch " + epoch);
        }
        return h;
    }

    /**
     * Loads the weights alone into {@code w}: every parameter of its model under its layer path, the
     * batch-norm moving statistics included. Every key, shape and dtype is checked, and every value
     * must be finite, before anything is written; the file's optimizer state, if any, is ignored, so
     * evaluation, prediction and a service need no trainer or optimizer. Returns the checkpoint (its
     * metadata holds the epoch and seed).
     *
     * @param file a checkpoint of w's model
     * @param w the weights to fill
     * @return the checkpoint, for its metadata
     */
    public static Checkpoint loadWeights(Path file, Weights w) {
        return loadWeights(file, w, false);
    }

    /**
     * As {@link #loadWeights(Path, Weights)}; allowNonFinite loads NaN and infinite values instead of
     * refusing them (to inspect a diverged run's weights, not to use them).
     *
     * @param file a checkpoint of w's model
     * @param w the weights to fill
     * @param allowNonFinite true to load NaN and infinite values too
     * @return the checkpoint, for its metadata
     */
    public static Checkpoint loadWeights(Path file, Weights w, boolean allowNonFinite) {
        Checkpoint c = SafeTensors.read(file);
        requireWeights(c, w.model());
        if (!allowNonFinite) {
            requireFinite(c, weightSpecs(w.model()).keySet());
        }
        upload(c, w);
        return c;
    }

    /**
     * Loads a trainer's full state to resume training: the weights, the optimizer's moments and its
     * iteration count. Everything is checked (the weights first, so a file of another model says so
     * in one line per weight; then the epoch, seed and history in the metadata; then that every value is
     * finite) before anything is written.
     *
     * @param file a checkpoint {@link #save} wrote for t's model
     * @param t the trainer to fill
     * @return the checkpoint, for its metadata
     */
    public static Checkpoint loadTrainingState(Path file, Trainer t) {
        return loadTrainingState(file, t, false);
    }

    /**
     * As {@link #loadTrainingState(Path, Trainer)}; allowNonFinite loads NaN and infinite values too.
     *
     * @param file a checkpoint {@link #save} wrote for t's model
     * @param t the trainer to fill
     * @param allowNonFinite true to load NaN and infinite values too
     * @return the checkpoint, for its metadata
     */
    public static Checkpoint loadTrainingState(Path file, Trainer t, boolean allowNonFinite) {
        Checkpoint c = SafeTensors.read(file);
        requireWeights(c, t.model());
        Map<String, TensorSpec> expected = weightSpecs(t.model());
        Optimizer o = t.optimizer();
        for (ParamRef p : t.model().params()) {
            if (o.firstMoment(p.index()) != null) {
                expected.put("optimizer/" + p.key() + "/m", TensorSpec.f32(p.spec().shape().dims()));
            }
            if (o.secondMoment(p.index()) != null) {
                expected.put("optimizer/" + p.key() + "/v", TensorSpec.f32(p.spec().shape().dims()));
            }
        }
        expected.put("optimizer/iterations", TensorSpec.of(org.convnet4j.io.ElementType.I64, 1));
        // the loss scaler's state is optional both ways, so that checkpoints stay interchangeable between
        // precisions: a file without it leaves the scaler at its start, one with it for an optimizer
        // without a scaler is ignored
        boolean scaled = c.tensors().containsKey(LOSS_SCALE) || c.tensors().containsKey(LOSS_SCALE_GOOD_STEPS);
        if (scaled) {
            expected.put(LOSS_SCALE, TensorSpec.f32(1));
            expected.put(LOSS_SCALE_GOOD_STEPS, TensorSpec.of(org.convnet4j.io.ElementType.I64, 1));
        }
        c.requireMatches(expected);
        epoch(c);
        seed(c);
        storedHistory(c);
        if (!allowNonFinite) {
            List<String> floats = new ArrayList<>(expected.keySet());
            floats.remove("optimizer/iterations");
            floats.remove(LOSS_SCALE_GOOD_STEPS);
            requireFinite(c, floats);
        }
        upload(c, t.weights());
        for (ParamRef p : t.model().params()) {
            if (o.firstMoment(p.index()) != null) {
                t.backend().upload(c.tensor("optimizer/" + p.key() + "/m").toFloats(), o.firstMoment(p.index()));
            }
            if (o.secondMoment(p.index()) != null) {
                t.backend().upload(c.tensor("optimizer/" + p.key() + "/v").toFloats(), o.secondMoment(p.index()));
            }
        }
        o.iterations(c.tensor("optimizer/iterations").toLongs()[0]);
        if (scaled && o.lossScaler() != null) {
            try {
                o.lossScaler().restore(c.tensor(LOSS_SCALE).toFloats()[0], c.tensor(LOSS_SCALE_GOOD_STEPS).toLongs()[0]);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(c.file(), "holds a loss scaler state this run's scaler refuses: "
                        + e.getMessage(), e);
            }
        }
        return c;
    }

    /**
     * Every value of the named F32 tensors must be finite: a NaN weight evaluates to "loss: NaN" and
     * trains no further, so a diverged run's file is refused, one line per tensor that has any.
     */
    private static void requireFinite(Checkpoint c, Collection<String> names) {
        List<String> problems = new ArrayList<>();
        for (String name : names) {
            FloatBuffer values = c.tensor(name).data().asFloatBuffer();
            int n = values.limit();
            long bad = 0;
            int first = -1;
            for (int i = 0; i < n; i++) {
                if (!Float.isFinite(values.get(i)) && bad++ == 0) {
                    first = i;
                }
            }
            if (bad > 0) {
                problems.add(name + ": " + bad + " of " + n + " values are not finite (element " + first + " is "
                        + values.get(first) + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(c.file(), "holds non-finite values in " + problems.size()
                    + (problems.size() == 1 ? " tensor" : " tensors") + "; the training that wrote it diverged",
                    problems);
        }
    }

    /** The weight tensors of {@code c} (all but optimizer/...) must be exactly the model's parameters. */
    private static void requireWeights(Checkpoint c, Model model) {
        Map<String, NamedTensor> weightsOnly = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (!k.startsWith("optimizer/")) {
                weightsOnly.put(k, v);
            }
        });
        new Checkpoint(c.file(), weightsOnly, c.metadata()).requireMatches(weightSpecs(model));
    }

    private static Map<String, TensorSpec> weightSpecs(Model model) {
        Map<String, TensorSpec> expected = new LinkedHashMap<>();
        for (ParamRef p : model.params()) {
            expected.put(p.key(), TensorSpec.f32(p.spec().shape().dims()));
        }
        return expected;
    }

    private static void upload(Checkpoint c, Weights w) {
        for (ParamRef p : w.model().params()) {
            w.write(p, c.tensor(p.key()).toFloats());
        }
    }

    private static NamedTensor floats(Trainer t, Tensor x) {
        float[] v = new float[Math.toIntExact(x.size())];
        t.backend().download(x, v);
        return NamedTensor.ofFloats(v, x.shape().dims());
    }
}
