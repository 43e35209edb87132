package org.convnet4j.bench;

import java.util.concurrent.TimeUnit;

import org.convnet4j.train.PredictorPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Serving under concurrent load: JMH's client threads ({@code -t N}) each send batch-1 requests to one
 * {@link PredictorPool} as fast as answers come back. {@code pool=WxT} is W workers of T OpenMP
 * threads each (1x2: one Predictor with both cores; 2x1: two single-threaded workers). Requests per
 * second are N divided by the mean time per request; p50 and p99 are the per-request latency a client
 * sees, queueing included.
 *
 * <pre>java -jar bench/target/benchmarks.jar ServeLoad -t 4 -p model=lenet5 -p pool=1x2,2x1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ServeLoad {
    @Param({"lenet5"})
    public String model;

    @Param({"1x2", "2x1"})
    public String pool;

    private ZooFixture f;
    private PredictorPool predictors;

    @Setup(Level.Trial)
    public void setUp() {
        String[] wt = pool.split("x");
        f = new ZooFixture(model, "cpu", 1);
        predictors = new PredictorPool(f.trainer.model(), f.trainer.weights(), 1, Integer.parseInt(wt[0]),
                Integer.parseInt(wt[1]));
    }

    @Benchmark
    public float[] request() {
        return predictors.predict(f.images, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        predictors.close();
        f.close();
    }
}
