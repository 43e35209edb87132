package org.convnet4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The convnet4j command line: {@code models}, {@code summary}, {@code train}, {@code evaluate},
 * {@code predict}, {@code export}. Exit status 0 on success, 2 on a usage error, 1 on any other failure, always with a
 * one-line reason on stderr (CONVNET4J_DEBUG=1 adds the stack trace). {@code convnet4j COMMAND --help}
 * prints that command's help, {@code convnet4j --version} the version; both exit 0.
 */
public final class Main {
    /** Per command: its usage lines, then (after a blank line) what {@code COMMAND --help} adds. */
    static final Map<String, String[]> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("models", new String[] {
            "  models                                   list the zoo with input shapes, classes and parameter counts",
            ""});
        COMMANDS.put("summary", new String[] {
            "  summary MODEL [--input HxWxC] [--classes N]",
            "Prints the model's Keras-style summary table for that input size and class count."});
        COMMANDS.put("train", new String[] {
            String.join("\n",
                "  train MODEL [--data PATH] [--epochs N] [--batch-size N] [--lr X] [--seed N]",
                "              [--backend auto|cpu|cuda] [--out DIR] [--resume [--force-resume] | --overwrite]",
                "              [--input HxWxC] [--classes N] [--patience N] [--precise-bn BATCHES] [--threads N]",
                "              [--lr-schedule SCHEDULE] [--reduce-lr-on-plateau PATIENCE[:FACTOR]] [--weight-decay X]",
                "              [--clip-norm X] [--augment STEPS] [--tensorboard DIR] [--precision auto|fp32|bf16|fp16]",
                "              [--weights FILE.h5 [--freeze-base]]"),
            String.join("\n",
                "Trains a zoo model on its data set with the reference run's defaults (convnet4j models) and leaves",
                "history.csv, metrics.json, curves.png, predictions.png and checkpoint.safetensors in --out",
                "(default runs/MODEL). One run at a time may write to a folder; a second is refused.",
                "  --resume         continue the run in --out from its checkpoint, with the same --batch-size, --lr,",
                "                   --seed, --input, --classes and the options below that shape training (and --epochs",
                "                   with a cosine schedule)",
                "  --force-resume   with --resume: continue even though those settings differ (the run goes on",
                "                   with the new ones)",
                "  --overwrite      replace the run already in --out (its files are deleted when this one starts)",
                "  --weights F.h5   start from a Keras HDF5 weight file (keras.applications' layout; docs/KERAS.md),",
                "                   the model built as Keras builds it (ResNet-50: batch-norm epsilon 1.001e-5); with",
                "                   --classes or --freeze-base the head (the output layer) is new and not read from F",
                "  --freeze-base    train only the head: every other layer frozen (Keras' base.trainable = False;",
                "                   frozen batch norms use their moving statistics)",
                "  --patience N     stop when the validation loss has not improved for N epochs",
                "  --precise-bn N   recompute batch-norm statistics from N training batches after each epoch (0: off)",
                "  --threads N      CPU threads (default: the processors free when the run starts; see docs/BENCHMARKS.md)",
                "  --precision P    fp32 (default); bf16: image activations and their gradients in bfloat16, weights,",
                "                   optimizer state, batch-norm statistics and loss in fp32 (needs AVX512_BF16 or AMX",
                "                   on a CPU); auto: bf16 where the backend has it natively. Checkpoints are fp32",
                "                   either way, so a run may resume or be evaluated in the other precision",
                "  --lr-schedule S  the learning rate over the run, as a factor of --lr (default constant):",
                "                     step:EPOCHS:FACTOR  times FACTOR every EPOCHS epochs (step:10:0.5)",
                "                     exp:RATE            times RATE per epoch, a little at every step (exp:0.95)",
                "                     cosine:WARMUP       linear warmup over WARMUP epochs, then half a cosine down to",
                "                                         0 at the last epoch (cosine:2)",
                "  --reduce-lr-on-plateau P[:F]  multiply the learning rate by F (default 0.1) when val_loss has not",
                "                   improved for P epochs (Keras' ReduceLROnPlateau; combines with --lr-schedule)",
                "  --weight-decay X AdamW: shrink every weight by lr * X each step, apart from the gradient (default 0:",
                "                   Adam)",
                "  --clip-norm X    rescale each step's gradients to global norm at most X (Keras' global_clipnorm)",
                "  --augment STEPS  augment training images on the loader thread, reproducibly from --seed (default",
                "                   none): flip (left-right), crop:PIXELS (pad with zeros, crop back), translate:FRACTION",
                "                   (shift by up to FRACTION of the size, edges reflected); e.g. flip,crop:4",
                "  --tensorboard DIR  write loss, accuracy and learning rate per step and per epoch as TensorBoard event",
                "                   files in DIR/train and DIR/validation (tensorboard --logdir DIR); history.csv is",
                "                   written either way",
                "A run whose memory (weights, gradients, optimizer state, activations) would not fit what the backend",
                "may still allocate is refused before it allocates, with the estimate and the limit.")});
        COMMANDS.put("evaluate", new String[] {
            "  evaluate MODEL --weights FILE [--data PATH] [--backend B] [--batch-size N] [--precise-bn BATCHES] [--threads N]\n"
                + "                 [--precision auto|fp32|bf16|fp16|int8] [--calibration N] [--save-calibration F]",
            "Prints the loss and accuracy of the weights on the test (or validation) set; --precise-bn N first\n"
                + "recomputes the batch-norm statistics from N training batches (0: off). --precision int8 runs the\n"
                + "frozen predictor with every convolution and dense layer in 8-bit integers (CPU), their input\n"
                + "ranges calibrated on the first N (default 500) training images (--save-calibration F writes them\n"
                + "for predict), and prints the fp32 predictor's figures beside it. On evaluate, predict and export,\n"
                + "--weights takes a convnet4j checkpoint or a Keras .h5 weight file (docs/KERAS.md)."});
        COMMANDS.put("predict", new String[] {
            String.join("\n",
                "  predict MODEL --weights FILE [--top K] [--json] [--backend B] [--threads N] [--precision P] IMAGE...",
                "  predict MODEL --weights FILE --grid [--data PATH] [--out DIR] [--backend B] [--threads N] [--precision P]"),
            String.join("\n",
                "Prints the K (default 3) most probable classes of each image file (JPEG, PNG, GIF, BMP), one line per",
                "image: \"photo.jpg: Sneaker 0.93, Sandal 0.05, Ankle boot 0.01\". Images are resized (bilinear) and",
                "scaled as in training; class names come from the checkpoint (else the model's data set, else",
                "\"class 0\", ...). No data set is read.",
                "  --json   one JSON object per line: {\"file\":...,\"top\":[{\"class\":7,\"name\":...,\"probability\":...}]}",
                "  --grid   instead draw the first 50 test images of --data labelled with the predicted class into",
                "           DIR/predictions.png (default runs/MODEL)",
                "  --precision int8 --calibration-file F   every convolution and dense layer in 8-bit integers (CPU),",
                "           with the input ranges `evaluate MODEL --precision int8 --save-calibration F` measured")});
        COMMANDS.put("export", new String[] {
            "  export MODEL --weights FILE --out FILE.onnx|FILE.h5 [--input HxWxC] [--classes N] [--backend B]",
            String.join("\n",
                "Writes the model with the checkpoint's weights as an ONNX file (opset 17) that ONNX Runtime and other",
                "ONNX consumers run: input N x C x H x W (N symbolic, named after the input layer), one output per",
                "model output, N x classes probabilities (softmax applied, as predict gives them), the main one first;",
                "parameters as initializers under their checkpoint keys. Batch norm uses its moving statistics and",
                "dropout is the identity. docs/ONNX.md gives the conversion of every layer. With --out FILE.h5, writes",
                "Keras HDF5 weights instead (keras.applications' layout, which --weights FILE.h5 reads; docs/KERAS.md).")});
    }

    static final String USAGE = usage();

    private Main() {
    }

    private static String usage() {
        StringBuilder b = new StringBuilder("usage: convnet4j <command> [options]   (convnet4j <command> --help; convnet4j --version)");
        for (String[] c : COMMANDS.values()) {
            b.append('\n').append(c[0]);
        }
        return b.toString();
    }

    /**
     * The {@code convnet4j} command: runs a subcommand and exits with its status.
     *
     * @param args the subcommand and its arguments, e.g. {@code train lenet5 --data DIR}
     */
    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> args) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            System.out.println(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        if (args.get(0).equals("--version")) {
            System.out.println("convnet4j " + version());
            return 0;
        }
        List<String> rest = args.subList(1, args.size());
        String[] command = COMMANDS.get(args.get(0));
        if (command != null && (rest.contains("--help") || rest.contains("-h"))) {
            System.out.println("usage: convnet4j " + command[0].substring(2).replace("\n", "\n" + " ".repeat(15))
                    + (command[1].isEmpty() ? "" : "\n" + command[1]));
            return 0;
        }
        try {
            if (THREADED.contains(args.get(0))) {
                rest = threads(rest);
            }
            switch (args.get(0)) {
                case "models" -> Commands.models(rest);
                case "summary" -> Commands.summary(rest);
                case "train" -> TrainCommand.run(rest);
                case "evaluate" -> Commands.evaluate(rest);
                case "predict" -> Commands.predict(rest);
                case "export" -> ExportCommand.run(rest);
                default -> throw new UsageException("unknown command '" + args.get(0) + "'");
            }
            return 0;
        } catch (UsageException e) {
            System.err.println("convnet4j: " + e.getMessage() + " (convnet4j --help for usage)");
            return 2;
        } catch (IllegalArgumentException e) {
            // Bad option values the library rejects (an unknown model, an input size a model cannot take).
            report(e);
            return 2;
        } catch (RuntimeException | OutOfMemoryError | UnsatisfiedLinkError e) {
            report(e);
            return 1;
        }
    }

    /** The commands that run a backend, and so take --threads. */
    private static final java.util.Set<String> THREADED = java.util.Set.of("train", "evaluate", "predict");

    /**
     * Takes {@code --threads N} out of a command's options and sets the CPU backend's thread count
     * with it (before any backend exists); the other options as they were.
     */
    static List<String> threads(List<String> rest) {
        List<String> out = new java.util.ArrayList<>();
        Integer threads = null;
        for (int i = 0; i < rest.size(); i++) {
            if (!rest.get(i).equals("--threads")) {
                out.add(rest.get(i));
                continue;
            }
            if (threads != null) {
                throw new UsageException("--threads given twice");
            }
            if (i + 1 == rest.size() || !rest.get(i + 1).matches("[1-9]\\d{0,4}")) {
                throw new UsageException("--threads: expected a positive number of threads. Received "
                        + (i + 1 == rest.size() ? "nothing" : "'" + rest.get(i + 1) + "'"));
            }
            threads = Integer.parseInt(rest.get(++i));
        }
        if (threads != null) {
            org.convnet4j.nativelib.OpenMp.threads(threads);
        }
        return out;
    }

    /** The project version Maven wrote into version.properties when it built this jar (or these classes). */
    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "(unknown version: version.properties is missing from the class path)";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "(unknown version)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read version.properties", e);
        }
    }

    private static void report(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        System.err.println("convnet4j: " + m.replace('\n', ' '));
        if (System.getenv("CONVNET4J_DEBUG") != null) {
            e.printStackTrace();
        }
    }
}
