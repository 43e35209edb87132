package org.convnet4j.bench.dl4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds zoo models (no training) and prints DL4J's parameter count beside convnet4j's (Keras')
 * at the zoo's default class counts. Usage: ParamCounts [--summary] [model ...] (all models when none).
 */
public final class ParamCounts {
    private ParamCounts() {
    }

    public static void main(String[] args) {
        boolean summary = false;
        List<String> names = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--summary")) {
                summary = true;
            } else {
                names.add(a);
            }
        }
        List<Models.Spec> specs = names.isEmpty() ? Models.all() : names.stream().map(Models::get).toList();
        System.out.printf(Locale.ROOT, "%-13s %-11s %7s %14s %14s %10s%n", "model", "input", "classes", "dl4j",
                "convnet4j", "dl4j-ours");
        for (Models.Spec s : specs) {
            long t0 = System.nanoTime();
            Net net = s.build();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long n = net.numParams();
            System.out.printf(Locale.ROOT, "%-13s %-11s %7d %,14d %,14d %,10d   (built in %d ms)%n", s.name(),
                    s.height() + "x" + s.width() + "x" + s.channels(), s.classes(), n, s.convnet4jParams(),
                    n - s.convnet4jParams(), ms);
            if (summary) {
                System.out.println(net.summary(s.height(), s.width(), s.channels()));
            }
        }
        System.out.print(BackendInfo.describe(null));
    }
}
