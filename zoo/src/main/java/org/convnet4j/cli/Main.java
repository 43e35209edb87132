package org.convnet4j.cli;

import java.util.Arrays;
import java.util.List;

/**
 * The convnet4j command line: {@code models}, {@code summary}, {@code train}, {@code evaluate},
 * {@code predict}. Exit status 0 on success, 2 on a usage error, 1 on any other failure, always with a
 * one-line reason on stderr (CONVNET4J_DEBUG=1 adds the stack trace).
 */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: convnet4j <command> [options]",
            "  models                                   list the zoo with input shapes, classes and parameter counts",
            "  summary MODEL [--input HxWxC] [--classes N]",
            "  train MODEL [--data PATH] [--epochs N] [--batch-size N] [--lr X] [--seed N]",
            "              [--backend auto|cpu|cuda] [--out DIR] [--resume] [--input HxWxC] [--classes N]",
            "              [--patience N] [--precise-bn BATCHES]",
            "  evaluate MODEL --weights FILE [--data PATH] [--backend B] [--batch-size N] [--precise-bn BATCHES]",
            "  predict MODEL --weights FILE [--data PATH] [--out DIR] [--backend B]");

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> args) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            System.out.println(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            switch (args.get(0)) {
                case "models" -> Commands.models(rest);
                case "summary" -> Commands.summary(rest);
                case "train" -> TrainCommand.run(rest);
                case "evaluate" -> Commands.evaluate(rest);
                case "predict" -> Commands.predict(rest);
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

    private static void report(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        System.err.println("convnet4j: " + m.replace('\n', ' '));
        if (System.getenv("CONVNET4J_DEBUG") != null) {
            e.printStackTrace();
        }
    }
}
