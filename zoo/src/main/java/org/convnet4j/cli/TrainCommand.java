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
import org.convnet4j.graph.Node;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.Profiler;
import org.convnet4j.memory.MemoryLimit;
import org.convnet4j.ops.Adam;
import org.convnet4j.report.History;
import org.convnet4j.report.Json;
import org.convnet4j.report.Plots;
import org.convnet4j.train.Callback;
import org.convnet4j.train.Checkpoints;
import org.convnet4j.train.EarlyStopping;
import org.convnet4j.train.Fit;
import org.convnet4j.train.FitSettings;
import org.convnet4j.train.Learner;
import org.convnet4j.train.MemoryEstimate;
import org.convnet4j.train.ModelCheckpoint;
import org.convnet4j.train.Monitor;
import org.convnet4j.train.NonFiniteLossException;
import org.convnet4j.train.TensorBoard;
import org.convnet4j.train.Trainer;
import org.convnet4j.zoo.InputSize;
import org.convnet4j.zoo.ModelSpec;
import org.convnet4j.zoo.Zoo;

/**
 * {@code convnet4j train MODEL}: trains a zoo model on its real data set with the reference run's
 * defaults (changed by the {@link TrainOptions}) through a {@link Learner} and leaves in --out:
 * history.csv, metrics.json, curves.png, predictions.png and checkpoint.safetensors (rewritten
 * atomically after every epoch, so --resume continues from it), and with --tensorboard DIR event
 * files there. The folder is locked for the whole run ({@link OutputLock}); a run whose
 * {@link MemoryEstimate} exceeds the backend's {@link MemoryLimit} is refused before it allocates.
 */
final class TrainCommand {
    static final String CHECKPOINT = "checkpoint.safetensors";
    static final String HISTORY = "history.csv";

    private TrainCommand() {
    }

    static void run(List<String> rest) {
        Set<String> valued = new java.util.HashSet<>(Set.of("data", "epochs", "batch-size", "lr", "seed", "backend", "out",
                "input", "classes", "patience", "precise-bn", "precision", "weights"));
        valued.addAll(TrainOptions.VALUED);
        Args a = new Args(rest, valued, Set.of("resume", "force-resume", "overwrite", "freeze-base"));
        a.maxPositionals(1);
        ModelSpec spec = Zoo.get(a.positional(0, "MODEL"));
        InputSize input = Commands.input(spec, a);
        int epochs = a.integer("epochs", spec.epochs());
        int batch = a.integer("batch-size", spec.batchSize());
        double lr = a.number("lr", spec.learningRate());
        long seed = a.longValue("seed", 1);
        Path out = a.path("out") != null ? a.path("out") : Path.of("runs", spec.name());
        String backendName = a.string("backend", "auto");
        Path weights = a.path("weights");
        if (weights != null && !Commands.isKeras(weights)) {
            throw new UsageException("train --weights takes a Keras .h5 weight file to start from; to continue a"
                    + " convnet4j run, use --resume with its --out folder");
        }
        if (a.flag("freeze-base") && weights == null) {
            throw new UsageException("--freeze-base freezes pretrained layers: give them with --weights FILE.h5");
        }
        Model model = Commands.build(spec, a, seed, weights);
        Set<String> head = ModelSpec.head(model);
        if (a.flag("freeze-base")) {
            freezeBase(model, head);
        }
        // Every usage error before the folder is made or locked and before the data is read.
        a.count("precise-bn", 0);
        a.integer("patience", 1);
        TrainOptions options = TrainOptions.from(a);
        RunFolder.checkFlags(a.flag("resume"), a.flag("force-resume"), a.flag("overwrite"));
        createDirectories(out);
        // Held until the run's last file is written: a second run into the same folder is refused.
        try (OutputLock lock = OutputLock.acquire(out)) {
            RunSettings settings = new RunSettings(spec.name(), batch, lr, seed, input.toString(), model.classes(), epochs,
                    options, a.flag("freeze-base"), weights != null);
            RunFolder.prepare(out, a.flag("resume"), a.flag("force-resume"), a.flag("overwrite"), settings);
            train(a, spec, model, input, out, backendName, settings);
        }
    }

    private static void train(Args a, ModelSpec spec, Model model, InputSize input, Path out, String backendName,
                              RunSettings settings) {
        DataSource data = DataSource.load(spec, input, a.path("data"));
        checkShape(data.train(), input);
        System.err.println("convnet4j: " + data.description() + ": " + data.train().size() + " training, "
                + data.test().size() + " test images");
        System.err.println("convnet4j: " + Backends.explain(backendName));
        Path checkpoint = out.resolve(CHECKPOINT);
        Path historyFile = out.resolve(HISTORY);
        int batch = settings.batchSize();
        long seed = settings.seed();
        TrainOptions options = settings.options();

        // The backend is checked against the estimate before the learner allocates anything on it.
        try (Backend b = Backends.create(backendName);
             Learner learner = Learner.builder(model).backend(requireMemory(b, estimate(model, b, a, batch, data), batch))
                     .seed(seed).precision(Commands.precision(a, b))
                     .optimizer(Adam.withLearningRate((float) settings.learningRate())
                             .withWeightDecay((float) options.weightDecay()))
                     .clipGlobalNorm(options.clipNorm()).build()) {
            FitSettings.Builder fit = FitSettings.builder().epochs(settings.epochs()).batchSize(batch).seed(seed)
                    .validation(data.test()).liveProgress(System.console() != null).out(System.out)
                    .preciseBatchNorm(a.count("precise-bn", 0)).schedule(options.schedule())
                    .reduceLrOnPlateau(options.plateau()).augmentation(options.augmentation());
            History history = new History();
            if (a.flag("resume")) {
                history = resume(learner, checkpoint, historyFile, seed, a.flag("force-resume"), fit);
            } else if (a.path("weights") != null) {
                // A new head (--classes, --freeze-base: Keras' include_top=False plus a head) keeps its initial values.
                boolean newHead = a.flag("freeze-base") || a.string("classes", null) != null;
                Commands.loadWeights(a.path("weights"), learner.weights(), newHead ? ModelSpec.head(model) : Set.of());
            }
            fit.history(history).callbacks(callbacks(a, model, data, checkpoint, historyFile, history, settings));
            Fit.Result result;
            try {
                result = learner.fit(data.train(), fit.build());
            } catch (NonFiniteLossException e) {
                throw new IllegalStateException(e.getMessage() + "; the last good checkpoint is "
                        + (Files.isRegularFile(checkpoint) ? checkpoint : "(none yet)"), e);
            }
            if (Profiler.ON) {
                System.err.print("convnet4j: time per layer type (training and validation):\n" + Profiler.report());
            }
            Trainer.BatchResult test = learner.evaluate(data.test(), batch);
            System.out.printf("test: %d images - loss: %.4f - accuracy: %.4f%n", test.count(), test.loss(), test.accuracy());
            writeMetrics(out, spec, model, b, backendName, result, test, settings, learner.optimizer().learningRate(),
                    learner.trainer().precision());
            if (!history.isEmpty()) {
                Plots.curves(out.resolve("curves.png"), history);
            }
            Reports.predictions(out, data.test(), model.classes(), learner::predict);
            System.err.println("convnet4j: wrote " + out.resolve(HISTORY) + ", metrics.json, curves.png, predictions.png, "
                    + CHECKPOINT + (options.tensorboard() == null ? "" : "; TensorBoard events in "
                    + options.tensorboard()));
        }
    }

    /** Keras' {@code base.trainable = False}: every layer but the head; prints the counts as summary() does. */
    private static void freezeBase(Model model, Set<String> head) {
        for (Node n : model.nodes()) {
            if (!head.contains(n.layer().name())) {
                n.layer().trainable(false);
            }
        }
        System.err.printf(java.util.Locale.ROOT, "convnet4j: base frozen; training %s: %,d trainable params, %,d non-trainable%n",
                String.join(", ", head), model.trainableParams(), model.nonTrainableParams());
    }

    /**
     * Loads the checkpoint into the learner and sets the run to continue after its epoch; returns the
     * history to continue, the checkpoint's own, not history.csv, which a kill may have left an epoch behind.
     */
    private static History resume(Learner learner, Path checkpoint, Path historyFile, long seed, boolean force,
                                  FitSettings.Builder fit) {
        if (!Files.isRegularFile(checkpoint)) {
            throw new IllegalStateException("--resume: no checkpoint at " + checkpoint);
        }
        Learner.Resumed r = learner.resume(checkpoint);
        OptionalLong savedSeed = Checkpoints.seed(r.checkpoint());
        if (savedSeed.isPresent() && savedSeed.getAsLong() != seed && !force) {
            throw new UsageException("--resume: the checkpoint was trained with --seed " + savedSeed.getAsLong()
                    + "; resume with the same seed to continue the same run, or add --force-resume");
        }
        fit.resumeFrom(r);
        r.history().writeCsv(historyFile);
        System.err.println("convnet4j: resuming from " + checkpoint + " at epoch " + (r.epoch() + 1));
        return r.history();
    }

    private static List<Callback> callbacks(Args a, Model model, DataSource data, Path checkpoint, Path historyFile,
                                            History history, RunSettings settings) {
        List<Callback> callbacks = new ArrayList<>();
        // The data set's class names go into every checkpoint, so predict names classes without the data.
        List<String> names = data.train().classNames().size() == model.classes() ? data.train().classNames() : null;
        callbacks.add(new ModelCheckpoint(checkpoint, Monitor.LOSS, false, settings.seed(), history, names,
                settings.asMap()));
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
        if (settings.options().tensorboard() != null) {
            callbacks.add(new TensorBoard(settings.options().tensorboard()));
        }
        return callbacks;
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
                                     Trainer.BatchResult test, RunSettings settings, double finalLearningRate,
                                     Precision precision) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", spec.name());
        m.put("params", model.totalParams());
        m.put("backend", b.name());
        m.put("precision", precision.option());
        m.put("backend_requested", requested);
        m.put("epochs", settings.epochs());
        m.put("epochs_run", r.history().size());
        m.put("stopped_early", r.stoppedEarly());
        m.put("batch_size", settings.batchSize());
        m.put("learning_rate", settings.learningRate());
        m.put("lr_schedule", settings.options().schedule().spec());
        m.put("reduce_lr_on_plateau", settings.options().plateau() == null ? "none"
                : settings.options().plateau().spec());
        m.put("final_learning_rate", finalLearningRate);
        m.put("weight_decay", settings.options().weightDecay());
        m.put("clip_norm", settings.options().clipNorm());
        m.put("augment", settings.options().augmentation().spec());
        m.put("seed", settings.seed());
        m.put("test_loss", test.loss());
        m.put("test_accuracy", test.accuracy());
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
