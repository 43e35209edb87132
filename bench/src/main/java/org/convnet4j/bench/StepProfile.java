package org.convnet4j.bench;

import java.util.Arrays;
import java.util.Locale;

import org.convnet4j.backend.cpu.CpuBackend;
import org.convnet4j.graph.Profiler;

/**
 * Where a training step's time goes: {@link ZooFixture}'s step (TrainStep's setup) with the
 * {@link Profiler} on, after warm-up steps, as wall seconds per layer type and pass, the rest of
 * the step (loss, optimizer, upload) by difference, the step's median time and images per second,
 * and on the CPU the reorders per step (activations, weights) and BF16 conversions. The profiler
 * times each layer call, so a profiled step is a little slower than TrainStep's.
 *
 * <pre>scripts/profile-step.sh resnet50 fp32 3</pre>
 * or {@code java -Dconvnet4j.profile=true -cp bench/target/benchmarks.jar org.convnet4j.bench.StepProfile
 * MODEL [fp32|bf16] [STEPS] [BATCH] [WARMUP]} ({@code -Dconvnet4j.backend=cpu|cuda}, default auto).
 */
public final class StepProfile {
    private StepProfile() {
    }

    /**
     * Runs the profile and prints it.
     *
     * @param args MODEL [PRECISION (fp32)] [STEPS (3)] [BATCH (32)] [WARMUP (1)]
     */
    public static void main(String[] args) {
        if (args.length < 1 || args.length > 5) {
            System.err.println("usage: StepProfile MODEL [fp32|bf16] [STEPS] [BATCH] [WARMUP]   (with -Dconvnet4j.profile=true)");
            System.exit(2);
        }
        if (!Profiler.ON) {
            System.err.println("StepProfile: run with -Dconvnet4j.profile=true (the profiler is read once, at class load)");
            System.exit(2);
        }
        String model = args[0];
        String precision = args.length > 1 ? args[1] : "fp32";
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        try (ZooFixture f = new ZooFixture(model, System.getProperty("convnet4j.backend", "auto"), batch,
                precision, "auto")) {
            for (int i = 0; i < warmup; i++) {
                f.trainStep();
            }
            Profiler.reset();
            CpuBackend cpu = f.backend instanceof CpuBackend c ? c : null;
            long[] before = cpu == null ? null : counts(cpu);
            double[] seconds = new double[steps];
            double total = 0;
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                f.trainStep();
                seconds[i] = (System.nanoTime() - t0) / 1e9;
                total += seconds[i];
            }
            long[] after = cpu == null ? null : counts(cpu);
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            double median = sorted[steps / 2];
            System.out.printf(Locale.ROOT, "%s %s batch %d on %s: %d steps after %d warm-up, median %.3f s per step"
                            + " (%.2f img/s), %.3f s in all%n", model, precision, batch, f.backend.name(), steps, warmup,
                    median, batch / median, total);
            String report = Profiler.report();
            System.out.print(report);
            System.out.printf(Locale.ROOT, "layers' share of the steps' wall time: %.1f%% (the rest: loss, optimizer,"
                    + " upload, the executor)%n", 100 * profiled(report) / total);
            if (cpu != null) {
                System.out.printf(Locale.ROOT, "per step: %.1f activation reorders, %.1f weight reorders, %.1f BF16"
                                + " conversions%n", (after[0] - before[0]) / (double) steps,
                        (after[1] - before[1]) / (double) steps, (after[2] - before[2]) / (double) steps);
            }
        }
    }

    private static long[] counts(CpuBackend cpu) {
        return new long[] {cpu.reorderCount(false), cpu.reorderCount(true), cpu.conversionCount()};
    }

    /** The seconds the report's lines add up to (forward plus backward columns). */
    private static double profiled(String report) {
        double sum = 0;
        String[] lines = report.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] cols = lines[i].trim().split("\\s+");
            if (cols.length >= 4) {
                sum += Double.parseDouble(cols[cols.length - 3]) + Double.parseDouble(cols[cols.length - 2]);
            }
        }
        return sum;
    }
}
