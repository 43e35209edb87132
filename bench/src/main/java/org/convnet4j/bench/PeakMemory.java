package org.convnet4j.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.convnet4j.memory.PoolStats;

/**
 * Peak resident memory of a short training run: builds a zoo model, runs N training steps on
 * synthetic data and prints the process's VmHWM (the high-water mark of resident memory, from
 * /proc/self/status) as one machine-readable line, the same line the DL4J peer prints:
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.convnet4j.bench.PeakMemory --model resnet50 --batch 32 --steps 2 [--backend cpu]
 * RESULT {"impl":"convnet4j","model":"resnet50","batch":32,"steps":2,"vmhwm_mib":...}
 * </pre>
 *
 * VmHWM counts the JVM itself (heap, code, JIT) as well as the tensors; the pool line above it says
 * how much of it our tensors took. On a GPU backend the pool is device memory and VmHWM is the host's.
 */
public final class PeakMemory {
    private PeakMemory() {
    }

    public static void main(String[] args) {
        String model = "resnet50";
        String backend = "cpu";
        int batch = 32;
        int steps = 2;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--model" -> model = required(args[i], value);
                case "--backend" -> backend = required(args[i], value);
                case "--batch" -> batch = Integer.parseInt(required(args[i], value));
                case "--steps" -> steps = Integer.parseInt(required(args[i], value));
                default -> throw new IllegalArgumentException("PeakMemory: unknown argument '" + args[i]
                        + "'. Expected --model NAME --batch N --steps N [--backend cpu|cuda]");
            }
            i++;
        }
        if (batch < 1 || steps < 1) {
            throw new IllegalArgumentException("PeakMemory: expected --batch >= 1 and --steps >= 1. Received batch="
                    + batch + ", steps=" + steps);
        }
        long t0 = System.nanoTime();
        PoolStats pool;
        try (ZooFixture f = new ZooFixture(model, backend, batch)) {
            for (int s = 1; s <= steps; s++) {
                long t = System.nanoTime();
                double loss = f.trainStep();
                System.err.printf(Locale.ROOT, "PeakMemory: step %d of %d: %.2f s, loss %.4f%n", s, steps,
                        (System.nanoTime() - t) / 1e9, loss);
            }
            pool = f.backend.pool().stats();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.println("pool: " + pool);
        System.out.printf(Locale.ROOT, "RESULT {\"impl\":\"convnet4j\",\"model\":\"%s\",\"batch\":%d,\"steps\":%d,"
                        + "\"backend\":\"%s\",\"vmhwm_mib\":%.1f,\"pool_peak_mib\":%.1f,\"seconds\":%.1f}%n",
                model, batch, steps, backend, vmHwmKib() / 1024.0, pool.peakInUseBytes() / 1048576.0, seconds);
    }

    private static String required(String flag, String value) {
        if (value == null) {
            throw new IllegalArgumentException("PeakMemory: " + flag + " needs a value");
        }
        return value;
    }

    /** VmHWM of this process in KiB (Linux). */
    static long vmHwmKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("PeakMemory: cannot read /proc/self/status", e);
        }
        throw new IllegalStateException("PeakMemory: /proc/self/status has no VmHWM line (not Linux?)");
    }
}
