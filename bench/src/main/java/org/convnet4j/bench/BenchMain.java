package org.convnet4j.bench;

import java.util.Collection;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the primitive benchmarks through JMH and prints one table: ms per call and the achieved
 * GFLOP/s (convolutions) or GB/s (memory-bound ops). Argument: an optional JMH include regex.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.convnet4j.bench.BenchMain [regex]</pre>
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException {
        String include = args.length > 0 ? args[0] : "org.convnet4j.bench.*Benchmark.*";
        Options options = new OptionsBuilder()
                .include(include)
                .forks(1)
                .warmupIterations(2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(3).measurementTime(TimeValue.seconds(2))
                .build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.println();
        System.out.printf("%-52s %-20s %10s %12s%n", "benchmark", "shape", "ms/op", "rate");
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replace("org.convnet4j.bench.", "");
            String shape = r.getParams().getParam("shape");
            double ms = r.getPrimaryResult().getScore();
            System.out.printf("%-52s %-20s %10.3f %12s%n", name, shape, ms, rate(name, shape, ms / 1e3));
        }
    }

    private static String rate(String benchmark, String shape, double seconds) {
        String cls = benchmark.substring(0, benchmark.indexOf('.'));
        String method = benchmark.substring(benchmark.indexOf('.') + 1);
        return switch (cls) {
            case "ConvBenchmark" -> String.format("%.1f GFLOP/s", ConvBenchmark.flops(shape) / seconds / 1e9);
            case "BatchNormBenchmark" -> String.format("%.1f GB/s", BatchNormBenchmark.bytes(method, shape) / seconds / 1e9);
            case "PoolBenchmark" -> String.format("%.1f GB/s", PoolBenchmark.bytes(shape) / seconds / 1e9);
            default -> "";
        };
    }
}
