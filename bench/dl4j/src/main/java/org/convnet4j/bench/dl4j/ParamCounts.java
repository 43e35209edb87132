package org.convnet4j.bench.dl4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds zoo models (no training) and prints DL4J's parameter count beside convnet4j's (Keras')
 * at the zoo's default class counts. Usage: ParamCounts [--summary] [--classes N] [model ...] (all models
 * when none); with --classes, every model gets N classes and convnet4j's column is left out (compare
 * with ZooTest's Keras counts at 1,000 classes).
 */
public final class ParamCounts {
    private ParamCounts() {
    }

    public static void main(String[] args) {
        boolean summary = false;
        int classes = 0;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--summary")) {
                summary = true;
            } else if (args[i].equals("--classes") && i + 1 < args.length) {
                classes = Integer.parseInt(args[++i]);
            } else {
                names.add(args[i]);
            }
        }
        List<Models.Spec> specs = names.isEmpty() ? Models.all() : names.stream().map(Models::get).toList();
        System.out.printf(Locale.ROOT, "%-13s %-11s %7s %14s %14s %10s%n", "model", "input", "classes", "dl4j",
                "convnet4j", "dl4j-ours");
        for (Models.Spec s : specs) {
            long t0 = System.nanoTime();
            int k = classes > 0 ? classes : s.classes();
            Net net = s.build(k, Models.SEED);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long n = net.numParams();
            String input = s.height() + "x" + s.width() + "x" + s.channels();
            if (k == s.classes()) {
                System.out.printf(Locale.ROOT, "%-13s %-11s %7d %,14d %,14d %,10d   (built in %d ms)%n", s.name(),
                        input, k, n, s.convnet4jParams(), n - s.convnet4jParams(), ms);
            } else {
                System.out.printf(Locale.ROOT, "%-13s %-11s %7d %,14d %14s %10s   (built in %d ms)%n", s.name(),
                        input, k, n, "-", "-", ms);
            }
            if (summary) {
                System.out.println(net.summary(s.height(), s.width(), s.channels()));
            }
        }
        System.out.print(BackendInfo.describe(null));
    }
}
