package org.convnet4j.bench;

import java.util.Collection;
import java.util.Locale;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the primitive benchmarks through JMH and prints one markdown table: ms per call and the
 * achieved GFLOP/s (convolutions) or GB/s (memory-bound ops). Arguments: an optional JMH include
 * regex, then JMH's own iteration flags to shorten or lengthen the run (defaults: 2 warm-up
 * iterations of 1 s, 3 measured of 2 s, 1 fork) and -rff to keep JMH's JSON as well.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.convnet4j.bench.BenchMain [regex] [-f 1] [-wi 2] [-w 1s] [-i 3] [-r 2s] [-rff FILE.json]</pre>
 *
 * <p>{@code -f 0} runs every benchmark in this JVM instead of a fresh fork each: bench-all uses it
 * to save a JVM start per kernel (the kernels are native; JIT profiles hardly matter).
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException {
        String include = "org.convnet4j.bench.*Benchmark.*";
        ChainedOptionsBuilder options = new OptionsBuilder()
                .forks(1)
                .warmupIterations(2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(3).measurementTime(TimeValue.seconds(2));
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("-")) {
                include = args[i];
                continue;
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException("BenchMain: " + args[i] + " needs a value");
            }
            String v = args[++i];
            switch (args[i - 1]) {
                case "-f" -> options.forks(Integer.parseInt(v));
                case "-wi" -> options.warmupIterations(Integer.parseInt(v));
                case "-w" -> options.warmupTime(TimeValue.fromString(v));
                case "-i" -> options.measurementIterations(Integer.parseInt(v));
                case "-r" -> options.measurementTime(TimeValue.fromString(v));
                case "-rff" -> options.resultFormat(ResultFormatType.JSON).result(v);
                default -> throw new IllegalArgumentException("BenchMain: unknown option " + args[i - 1]
                        + ". Expected [regex] [-f N] [-wi N] [-w TIME] [-i N] [-r TIME] [-rff FILE]");
            }
        }
        Collection<RunResult> results = new Runner(options.include(include).build()).run();
        System.out.println();
        System.out.printf("| %-52s | %-24s | %10s | %14s |%n", "benchmark", "shape", "ms/op", "rate");
        System.out.printf("|%s|%s|%s|%s|%n", "-".repeat(54), "-".repeat(26), "-".repeat(11) + ":", "-".repeat(15) + ":");
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replace("org.convnet4j.bench.", "");
            String shape = r.getParams().getParam("shape");
            double ms = r.getPrimaryResult().getScore();
            String rate = rate(name, shape, ms / 1e3);
            if (name.startsWith("DenseBenchmark.")) {
                int batch = Integer.parseInt(r.getParams().getParam("batch"));
                rate = gflops(DenseBenchmark.flops(shape, batch), ms / 1e3);
                shape = shape + " N" + batch + " " + r.getParams().getParam("compute");
            }
            System.out.printf(Locale.ROOT, "| %-52s | %-24s | %10.3f | %14s |%n", name, shape, ms, rate);
        }
    }

    private static String rate(String benchmark, String shape, double seconds) {
        String cls = benchmark.substring(0, benchmark.indexOf('.'));
        String method = benchmark.substring(benchmark.indexOf('.') + 1);
        return switch (cls) {
            case "ConvBenchmark" -> gflops(ConvBenchmark.flops(shape), seconds);
            case "BatchNormBenchmark" -> gbs(BatchNormBenchmark.bytes(method, shape), seconds);
            case "PoolBenchmark" -> gbs(PoolBenchmark.bytes(shape), seconds);
            case "FusedBenchmark" -> method.startsWith("conv")
                    ? gflops(Shapes.conv(shape).flops(), seconds) : gbs(FusedBenchmark.bytes(method, shape), seconds);
            default -> "";
        };
    }

    private static String gflops(double flops, double seconds) {
        return String.format(Locale.ROOT, "%.1f GFLOP/s", flops / seconds / 1e9);
    }

    private static String gbs(double bytes, double seconds) {
        return String.format(Locale.ROOT, "%.1f GB/s", bytes / seconds / 1e9);
    }
}
