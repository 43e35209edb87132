package org.convnet4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.data.Dataset;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.Profiler;
import org.convnet4j.graph.Weights;
import org.convnet4j.io.Checkpoint;
import org.convnet4j.memory.MemoryLimit;
import org.convnet4j.ops.Adam;
import org.convnet4j.report.History;
import org.convnet4j.report.Json;
import org.convnet4j.report.Plots;
import org.convnet4j.train.Callback;
import org.convnet4j.train.Checkpoints;
import org.convnet4j.train.EarlyStopping;
import org.convnet4j.train.Fit;
import org.convnet4j.train.MemoryEstimate;
import org.convnet4j.train.ModelCheckpoint;
import org.convnet4j.train.Monitor;
import org.convnet4j.train.NonFiniteLossException;
import org.convnet4j.train.Optimizer;
import org.convnet4j.train.Trainer;
import org.convnet4j.zoo.InputSize;
import org.convnet4j.zoo.ModelSpec;
import org.convnet4j.zoo.Zoo;

/**
 * {@code convnet4j train MODEL}: trains a zoo model on its real data set with the reference run's
 * defaults and leaves in --out: history.csv, metrics.json, curves.png, predictions.png and
 * checkpoint.safetensors (rewritten atomically after every epoch, so --resume continues from it). The
 * folder is locked for the whole run ({@link OutputLock}); a run whose {@link MemoryEstimate} exceeds
 * the backend's {@link MemoryLimit} is refused before it allocates.
 */
final class TrainCommand {
    static final String CHECKPOINT = "checkpoint.safetensors";
    static final String HISTORY = "history.csv";

    private TrainCommand() {
    }

    static void run(List<String> rest) {
        Args a = new Args(rest, Set.of("data", "epochs", "batch-size", "lr", "seed", "backend", "out", "input", "classes",
                "patience", "precise-bn", "precision"), Set.of("resume", "force-resume", "overwrite"));
        a.maxPositionals(1);
        ModelSpec spec = Zoo.get(a.positional(0, "MODEL"));
        InputSize input = Commands.input(spec, a);
        int epochs = a.integer("epochs", spec.epochs());
        int batch = a.integer("batch-size", spec.batchSize());
        double lr = a.number("lr", spec.learningRate());
        long seed = a.longValue("seed", 1);
        Path out = a.path("out") != null ? a.path("out") : Path.of("runs", spec.name());
        String backendName = a.string("backend", "auto");
        Model model = Commands.build(spec, a, seed);
        // Every usage error before the folder is made or locked and before the data is read.
        a.count("precise-bn", 0);
        a.integer("patience", 1);
        RunFolder.checkFlags(a.flag("resume"), a.flag("force-resume"), a.flag("overwrite"));
        createDirectories(out);
        // Held until the run's last file is written: a second run into the same folder is refused.
        try (OutputLock lock = OutputLock.acquire(out)) {
            RunSettings settings = new RunSettings(spec.name(), batch, lr, seed, input.toString(), model.classes());
            RunFolder.prepare(out, a.flag("resume"), a.flag("force-resume"), a.flag("overwrite"), settings);
            train(a, spec, model, input, epochs, batch, lr, seed, out, backendName, settings);
        }
    }

    private static void train(Args a, ModelSpec spec, Model model, InputSize input, int epochs, int batch, double lr,
                              long seed, Path out, String backendName, RunSettings settings) {
        DataSource data = DataSource.load(spec, input, a.path("data"));
        checkShape(data.train(), input);
        System.err.println("convnet4j: " + data.description() + ": " + data.train().size() + " training, "
                + data.test().size() + " test images");
        System.err.println("convnet4j: " + Backends.explain(backendName));
        Path checkpoint = out.resolve(CHECKPOINT);
        Path historyFile = out.resolve(HISTORY);

        try (Backend b = Backends.create(backendName);
             Weights w = new Weights(model, requireMemory(b, estimate(model, b, a, batch, data), batch));
             Optimizer o = Optimizer.adam(model, b, Adam.withLearningRate((float) lr));
             Trainer t = new Trainer(model, b, w, o, Commands.precision(a, b))) {
            w.initialize(seed);
            History history = new History();
            int firstEpoch = 1;
            if (a.flag("resume")) {
                if (!Files.isRegularFile(checkpoint)) {
                    throw new IllegalStateException("--resume: no checkpoint at " + checkpoint);
                }
                Checkpoint c = Checkpoints.loadTrainingState(checkpoint, t);
                firstEpoch = Checkpoints.epoch(c) + 1;
                OptionalLong savedSeed = Checkpoints.seed(c);
                if (savedSeed.isPresent() && savedSeed.getAsLong() != seed && !a.flag("force-resume")) {
                    throw new UsageException("--resume: the checkpoint was trained with --seed " + savedSeed.getAsLong()
                            + "; resume with the same seed to continue the same run, or add --force-resume");
                }
                // The checkpoint's own history, not history.csv, which a kill may have left an epoch behind.
                Checkpoints.history(c, historyFile).epochs().forEach(history::add);
                history.writeCsv(historyFile);
                System.err.println("convnet4j: resuming from " + checkpoint + " at epoch " + firstEpoch);
            }
            List<Callback> callbacks = new ArrayList<>();
            // The data set's class names go into every checkpoint, so predict names classes without the data.
            List<String> names = data.train().classNames().size() == model.classes() ? data.train().classNames() : null;
            callbacks.add(new ModelCheckpoint(checkpoint, Monitor.LOSS, false, seed, history, names, settings.asMap()));
            callbacks.add(new Callback() {
                @Override
                public boolean onEpochEnd(History.Epoch e, Trainer trainer) {
                    history.writeCsv(historyFile);
                    return false;
                }
            });
            if (a.string("patience", null) != null) {
                callbacks.add(new EarlyStopping(Monitor.VAL_LOSS, a.integer("patience", 1), 0, true));
            }
            Fit.Result result;
            try {
                result = Fit.run(t, data.train(), data.test(), new Fit.Options(epochs, batch, seed, firstEpoch,
                        System.console() != null, a.count("precise-bn", 0)), history, callbacks, System.out);
            } catch (NonFiniteLossException e) {
                throw new IllegalStateException(e.getMessage() + "; the last good checkpoint is "
                        + (Files.isRegularFile(checkpoint) ? checkpoint : "(none yet)"), e);
            }
            if (Profiler.ON) {
                System.err.print("convnet4j: time per layer type (training and validation):\n" + Profiler.report());
            }
            Trainer.BatchResult test = Fit.evaluate(t, data.test(), batch);
            double testAccuracy = (double) test.correct() / test.count();
            System.out.printf("test: %d images - loss: %.4f - accuracy: %.4f%n", test.count(), test.loss(), testAccuracy);
            writeMetrics(out, spec, model, b, backendName, result, test, batch, lr, seed, epochs, t.precision());
            if (!history.isEmpty()) {
                Plots.curves(out.resolve("curves.png"), history);
            }
            Reports.predictions(out, data.test(), model.classes(), t::predictBatch);
            System.err.println("convnet4j: wrote " + out.resolve(HISTORY) + ", metrics.json, curves.png, predictions.png, "
                    + CHECKPOINT);
        }
    }

    /**
     * The backend, once the run's memory estimate is known to fit what it may still allocate: a run
     * that cannot fit is refused before anything is allocated, with the estimate and the limit.
     */
    private static Backend requireMemory(Backend b, MemoryEstimate need, int batch) {
        MemoryLimit limit = b.memoryLimit();
        if (need.total() > limit.bytes()) {
            throw new IllegalStateException("this run needs about " + need.describe() + " on the " + b.name()
                    + " backend, more than the " + MemoryLimit.format(limit.bytes()) + " it may still allocate ("
                    + limit.source() + "); a smaller --batch-size (now " + batch + ") needs less");
        }
        return b;
    }

    private static void checkShape(Dataset d, InputSize in) {
        if (d.channels() != in.channels() || d.height() != in.height() || d.width() != in.width()) {
            throw new UsageException("the data's images are " + d.height() + "x" + d.width() + "x" + d.channels()
                    + " but the model takes " + in + "; pass --input " + d.height() + "x" + d.width() + "x" + d.channels());
        }
    }

    /** What the run takes in the precision --precision asks for on backend b, as its Trainer will plan it. */
    private static MemoryEstimate estimate(Model model, Backend b, Args a, int batch, DataSource data) {
        Precision p = Commands.precision(a, b, false);
        return MemoryEstimate.fit(model, true, batch, data.train().size(), data.test().size(), p,
                b.activationLayout(p));
    }

    private static void writeMetrics(Path out, ModelSpec spec, Model model, Backend b, String requested, Fit.Result r,
                                     Trainer.BatchResult test, int batch, double lr, long seed, int epochs,
                                     Precision precision) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", spec.name());
        m.put("params", model.totalParams());
        m.put("backend", b.name());
        m.put("precision", precision.option());
        m.put("backend_requested", requested);
        m.put("epochs", epochs);
        m.put("epochs_run", r.history().size());
        m.put("stopped_early", r.stoppedEarly());
        m.put("batch_size", batch);
        m.put("learning_rate", lr);
        m.put("seed", seed);
        m.put("test_loss", test.loss());
        m.put("test_accuracy", (double) test.correct() / test.count());
        double seconds = 0;
        for (History.Epoch e : r.history().epochs()) {
            seconds += e.seconds();
        }
        m.put("seconds_per_epoch", r.history().isEmpty() ? Double.NaN : seconds / r.history().size());
        m.put("images_per_second", r.imagesPerSecond());
        m.put("finished", Instant.now().toString());
        Json.write(out.resolve("metrics.json"), m);
    }

    private static void createDirectories(Path out) {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the output folder " + out, e);
        }
    }
}
