package org.convnet4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.Backends;
import org.convnet4j.data.Dataset;
import org.convnet4j.data.Datasets;
import org.convnet4j.data.ImageInput;
import org.convnet4j.graph.Int8Calibration;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.Weights;
import org.convnet4j.io.JsonText;
import org.convnet4j.train.Checkpoints;
import org.convnet4j.train.Classifier;
import org.convnet4j.train.Evaluator;
import org.convnet4j.train.Fit;
import org.convnet4j.train.PreciseBatchNorm;
import org.convnet4j.train.Prediction;
import org.convnet4j.train.Predictor;
import org.convnet4j.train.Trainer;
import org.convnet4j.zoo.InputSize;
import org.convnet4j.zoo.ModelSpec;
import org.convnet4j.zoo.Zoo;

/** The small commands: models, summary, evaluate, predict. */
final class Commands {
    private Commands() {
    }

    static void models(List<String> rest) {
        new Args(rest, Set.of(), Set.of()).maxPositionals(0);
        System.out.printf("%-14s %-12s %8s %14s  %-14s %s%n", "model", "input", "classes", "params", "data", "description");
        for (ModelSpec s : Zoo.all()) {
            Model m = s.build();
            System.out.printf("%-14s %-12s %8d %,14d  %-14s %s%n", s.name(), s.input(), s.classes(), m.totalParams(),
                    s.data().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), s.description());
        }
    }

    static void summary(List<String> rest) {
        Args a = new Args(rest, Set.of("input", "classes"), Set.of());
        a.maxPositionals(1);
        ModelSpec s = Zoo.get(a.positional(0, "MODEL"));
        System.out.print(build(s, a, 0).summary());
    }

    static Model build(ModelSpec s, Args a, long seed) {
        return s.build(input(s, a), a.integer("classes", s.classes()), seed);
    }

    /** As above, in keras.applications' form ({@link ModelSpec#buildKeras}) when {@code weights} is a Keras .h5 file. */
    static Model build(ModelSpec s, Args a, long seed, Path weights) {
        return isKeras(weights) ? s.buildKeras(input(s, a), a.integer("classes", s.classes()), seed) : build(s, a, seed);
    }

    /** Whether {@code --weights} names a Keras HDF5 weight file (.h5, .hdf5) rather than a convnet4j checkpoint. */
    static boolean isKeras(Path weights) {
        String n = weights == null ? "" : weights.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".h5") || n.endsWith(".hdf5");
    }

    /** Loads a checkpoint, or a Keras .h5 file leaving out the layers in {@code skip}, into {@code w}. */
    static void loadWeights(Path weights, Weights w, Set<String> skip) {
        if (isKeras(weights)) {
            List<String> loaded = w.loadKeras(weights, skip);
            System.err.println("convnet4j: loaded " + loaded.size() + " layers from the Keras file " + weights
                    + (skip.isEmpty() ? "" : "; " + String.join(", ", skip) + " keep their initial values"));
        } else {
            Checkpoints.loadWeights(weights, w);
        }
    }

    static InputSize input(ModelSpec s, Args a) {
        return a.string("input", null) == null ? s.input() : InputSize.parse(a.string("input", null));
    }

    /**
     * The run's mixed-precision policy from {@code --precision auto|fp32|bf16|fp16} (default fp32) on backend
     * b: auto is bf16 where b computes it natively, else fp32; bf16 where b cannot is an error naming
     * what is missing (fp16, with dynamic loss scaling, is CUDA's only). Said on stderr unless fp32 was asked for.
     */
    static Precision precision(Args a, Backend b) {
        return precision(a, b, true);
    }

    /** As above; {@code say}: whether to tell stderr (once per run). */
    static Precision precision(Args a, Backend b, boolean say) {
        String asked = a.string("precision", "fp32");
        Precision p;
        if (asked.equalsIgnoreCase("auto")) {
            p = Precision.BF16;
            try {
                b.checkPrecision(p);
            } catch (UnsupportedOperationException e) {
                p = Precision.FP32;
            }
        } else {
            try {
                p = Precision.parse(asked);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--precision: expected auto, fp32, bf16 or fp16. Received " + asked);
            }
            b.checkPrecision(p);
        }
        if (say && !asked.equalsIgnoreCase("fp32")) {
            System.err.println("convnet4j: precision " + p.option() + (p == Precision.BF16
                    ? " (image activations in bfloat16, weights, optimizer state and loss in fp32)"
                    : p == Precision.FP16 ? " (image activations in half precision with dynamic loss scaling;"
                    + " weights, optimizer state and loss in fp32)" : ""));
        }
        return p;
    }

    static void evaluate(List<String> rest) {
        Args a = new Args(rest, Set.of("weights", "data", "backend", "batch-size", "input", "classes", "precise-bn",
                "precision", "calibration", "save-calibration"), Set.of());
        a.maxPositionals(1);
        ModelSpec s = Zoo.get(a.positional(0, "MODEL"));
        Path weights = requireFile(a.path("weights"), "--weights FILE");
        Model m = build(s, a, 0, weights);
        DataSource data = DataSource.load(s, input(s, a), a.path("data"));
        Dataset test = data.test();
        int batchSize = a.integer("batch-size", s.batchSize());
        int precise = a.count("precise-bn", 0);
        String backendName = a.string("backend", "auto");
        System.err.println("convnet4j: " + Backends.explain(backendName));
        boolean int8 = a.string("precision", "fp32").equalsIgnoreCase("int8");
        int calibration = a.count("calibration", 500);
        if (!int8 && (a.string("calibration", null) != null || a.string("save-calibration", null) != null)) {
            throw new UsageException("--calibration and --save-calibration are for --precision int8");
        }
        Path save = a.path("save-calibration");
        try (Backend b = Backends.create(backendName); Weights w = new Weights(m, b)) {
            loadWeights(weights, w, Set.of());
            if (int8) {
                if (precise > 0) {
                    throw new UsageException("--precise-bn is not for --precision int8: recalibrate in fp32 and save first");
                }
                Int8Evaluation.run(m, w, data.train(), test, batchSize, calibration, save);
                return;
            }
            try (Evaluator e = new Evaluator(m, w, precision(a, b))) {
                if (precise > 0) {
                    // Dropout draws its masks as in the first training step (no trainer, no step count here).
                    int used = PreciseBatchNorm.run(e, b, data.train(), batchSize, precise, 0, 1);
                    System.err.println("convnet4j: batch-norm statistics recalibrated from " + used + " training batches");
                }
                Trainer.BatchResult r = Fit.evaluate(e, test, batchSize);
                System.out.printf("%d images - loss: %.4f - accuracy: %.4f%n", r.count(), r.loss(), (double) r.correct() / r.count());
            }
        }
    }

    static void predict(List<String> rest) {
        Args a = new Args(rest, Set.of("weights", "data", "backend", "out", "input", "classes", "top", "precision",
                "calibration-file"), Set.of("grid", "json"));
        ModelSpec s = Zoo.get(a.positional(0, "MODEL"));
        if (a.flag("grid")) {
            a.maxPositionals(1);
            for (String imageOnly : List.of("top", "json")) {
                if (a.string(imageOnly, null) != null) {
                    throw new UsageException("--" + imageOnly + " is for predicting image files, not --grid");
                }
            }
            predictGrid(a, s);
            return;
        }
        for (String gridOnly : List.of("data", "out")) {
            if (a.string(gridOnly, null) != null) {
                throw new UsageException("--" + gridOnly + " is for --grid; to predict image files, give them after MODEL");
            }
        }
        List<String> files = a.positionals().subList(1, a.positionals().size());
        if (files.isEmpty()) {
            throw new UsageException("missing IMAGE... (image files to predict), or --grid to draw the test set's predictions");
        }
        int k = a.integer("top", 3);
        boolean json = a.flag("json");
        Path weights = requireFile(a.path("weights"), "--weights FILE");
        Model m = build(s, a, 0, weights);
        long[] in = m.input().shape().dims();
        int channels = Math.toIntExact(in[0]);
        int height = Math.toIntExact(in[1]);
        int width = Math.toIntExact(in[2]);
        // Every image is read before the model is loaded: a corrupt one fails in a line naming it, at once.
        int per = channels * height * width;
        float[] images = new float[Math.multiplyExact(files.size(), per)];
        for (int i = 0; i < files.size(); i++) {
            System.arraycopy(ImageInput.fromFile(Path.of(files.get(i)), channels, height, width), 0, images, i * per, per);
        }
        String backendName = a.string("backend", "auto");
        System.err.println("convnet4j: " + Backends.explain(backendName));
        Int8Calibration int8 = int8Calibration(a, m);
        try (Backend b = Backends.create(backendName);
             Classifier c = int8 != null
                     ? Classifier.load(m, b, requireCheckpoint(weights), knownClassNames(s, m.classes()),
                             Math.min(files.size(), 32), int8)
                     : classifier(m, b, weights, knownClassNames(s, m.classes()), Math.min(files.size(), 32),
                             precision(a, b))) {
            List<List<Prediction>> tops = c.top(images, files.size(), k);
            for (int i = 0; i < files.size(); i++) {
                System.out.println(json ? json(files.get(i), tops.get(i)) : line(files.get(i), tops.get(i)));
            }
        }
    }

    /**
     * The calibration {@code --precision int8 --calibration-file F} names (as {@code evaluate
     * --precision int8 --save-calibration F} writes it), else null; int8 without a file is a usage
     * error, as is a file made for another model.
     */
    private static Int8Calibration int8Calibration(Args a, Model m) {
        boolean int8 = a.string("precision", "fp32").equalsIgnoreCase("int8");
        Path file = a.path("calibration-file");
        if (!int8) {
            if (file != null) {
                throw new UsageException("--calibration-file is for --precision int8");
            }
            return null;
        }
        if (file == null) {
            throw new UsageException("--precision int8 needs --calibration-file F: the input ranges `evaluate MODEL"
                    + " --precision int8 --save-calibration F` measures on training images");
        }
        Int8Calibration c;
        try {
            c = Int8Calibration.read(requireFile(file, "--calibration-file F"));
        } catch (java.io.IOException e) {
            throw new UsageException("--calibration-file: cannot read " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--calibration-file: " + e.getMessage());
        }
        if (!c.model().equals(m.name())) {
            throw new UsageException("--calibration-file: " + file + " was made for model " + c.model() + ", not "
                    + m.name());
        }
        System.err.println("convnet4j: precision int8 (" + c + ")");
        return c;
    }

    private static Path requireCheckpoint(Path weights) {
        if (isKeras(weights)) {
            throw new UsageException("--precision int8 takes a convnet4j checkpoint; convert the Keras file first"
                    + " (train --weights F.h5 --epochs 0, or evaluate it in fp32)");
        }
        return weights;
    }

    /** A checkpoint's classifier, or a Keras file's (which names no classes: the data set's, else "class 0", ...). */
    private static Classifier classifier(Model m, Backend b, Path weights, List<String> names, int batch,
                                         Precision precision) {
        if (!isKeras(weights)) {
            return Classifier.load(m, b, weights, names, batch, precision);
        }
        try (Weights w = new Weights(m, b)) {
            loadWeights(weights, w, Set.of());
            Predictor p = new Predictor(m, w, batch, precision); // a copy: the weights can go
            try {
                return new Classifier(p, names != null ? names : Classifier.defaultNames(m.classes()));
            } catch (RuntimeException e) {
                p.close();
                throw e;
            }
        }
    }

    /** The zoo model's data set's class names, when the model has that many classes; else null. */
    static List<String> knownClassNames(ModelSpec s, int classes) {
        List<String> names = switch (s.data()) {
            case FASHION_MNIST -> Datasets.FASHION_MNIST_CLASSES;
            case CIFAR10 -> Datasets.CIFAR10_CLASSES;
            case FLOWERS -> Datasets.FLOWERS_CLASSES;
        };
        return names.size() == classes ? names : null;
    }

    /** "photo.jpg: Sneaker 0.93, Sandal 0.05, Ankle boot 0.01". */
    static String line(String file, List<Prediction> top) {
        StringBuilder b = new StringBuilder(file).append(':');
        for (int i = 0; i < top.size(); i++) {
            b.append(i == 0 ? " " : ", ").append(top.get(i));
        }
        return b.toString();
    }

    /** {"file":"photo.jpg","top":[{"class":7,"name":"Sneaker","probability":0.93},...]} on one line. */
    static String json(String file, List<Prediction> top) {
        StringBuilder b = new StringBuilder("{\"file\":").append(quote(file)).append(",\"top\":[");
        for (int i = 0; i < top.size(); i++) {
            Prediction p = top.get(i);
            b.append(i == 0 ? "" : ",").append("{\"class\":").append(p.index()).append(",\"name\":")
                    .append(quote(p.name())).append(",\"probability\":").append(p.probability()).append('}');
        }
        return b.append("]}").toString();
    }

    private static String quote(String s) {
        return JsonText.quote(new StringBuilder(), s).toString();
    }

    /** The first 50 test images, labelled with the predicted class, drawn into --out/predictions.png. */
    private static void predictGrid(Args a, ModelSpec s) {
        Path weights = requireFile(a.path("weights"), "--weights FILE");
        Path out = a.path("out") != null ? a.path("out") : Path.of("runs", s.name());
        Model m = build(s, a, 0, weights);
        Dataset test = DataSource.load(s, input(s, a), a.path("data")).test();
        String backendName = a.string("backend", "auto");
        System.err.println("convnet4j: " + Backends.explain(backendName));
        try (Backend b = Backends.create(backendName); Weights w = new Weights(m, b)) {
            loadWeights(weights, w, Set.of());
            try (Predictor p = new Predictor(m, w, Reports.gridSize(test), precision(a, b))) {
                System.out.println("wrote " + Reports.predictions(out, test, m.classes(), p::predict));
            }
        }
    }

    static Path requireFile(Path p, String what) {
        if (p == null) {
            throw new UsageException("missing " + what);
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("weights file " + p + " does not exist");
        }
        return p;
    }
}
