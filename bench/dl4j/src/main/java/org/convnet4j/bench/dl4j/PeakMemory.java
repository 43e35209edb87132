package org.convnet4j.bench.dl4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Peak resident memory of DL4J training: builds a model, runs N training steps on a synthetic batch,
 * and prints one line {@code RESULT {"impl":"dl4j",...,"vmhwm_mib":...}} with VmHWM from
 * /proc/self/status (the process' peak resident set: Java heap, ND4J's off-heap buffers, natives).
 * Usage: PeakMemory --model resnet50 --batch 32 --steps 2
 */
public final class PeakMemory {
    private PeakMemory() {
    }

    public static void main(String[] args) throws IOException {
        String model = "lenet5";
        int batch = 32;
        int steps = 2;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Expected a value after " + a);
            }
            switch (a) {
                case "--model" -> model = args[++i];
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("Unknown option " + a
                        + ". Usage: PeakMemory --model NAME --batch N --steps N");
            }
        }
        Models.Spec s = Models.get(model);
        Net net = s.build();
        INDArray x = Data.images(s, batch);
        INDArray y = Data.oneHot(batch, s.classes());
        System.err.print(BackendInfo.describe(net));
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            net.fit(x, y);
            System.err.printf(Locale.ROOT, "dl4j: step %d: %.1f ms, loss %.4f%n", i + 1, (System.nanoTime() - t0) / 1e6,
                    net.score());
        }
        System.out.printf(Locale.ROOT,
                "RESULT {\"impl\":\"dl4j\",\"model\":\"%s\",\"batch\":%d,\"steps\":%d,\"vmhwm_mib\":%.1f}%n",
                model, batch, steps, vmHwmKib() / 1024.0);
    }

    /** VmHWM from /proc/self/status, in KiB. */
    static long vmHwmKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("No VmHWM line in /proc/self/status");
    }
}
