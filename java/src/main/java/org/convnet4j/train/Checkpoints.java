package org.convnet4j.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.convnet4j.graph.ParamRef;
import org.convnet4j.io.Checkpoint;
import org.convnet4j.io.NamedTensor;
import org.convnet4j.io.SafeTensors;
import org.convnet4j.io.TensorSpec;
import org.convnet4j.tensor.Tensor;

/**
 * A trainer's full state as one safetensors file: every parameter under its layer path
 * ({@code conv2d_1/kernel}), the optimizer's moments under {@code optimizer/<key>/m} and {@code /v},
 * the iteration count as {@code optimizer/iterations}; the epoch and the run's seed in the metadata.
 * Shuffling and dropout are pure functions of (seed, epoch, step), so these are the whole RNG state:
 * a run resumed from the file ends with the same weights as an uninterrupted one.
 */
public final class Checkpoints {
    public static final String EPOCH = "epoch";
    public static final String SEED = "seed";
    public static final String MODEL = "model";

    private Checkpoints() {
    }

    /** Writes atomically (temporary file, fsync, rename). */
    public static void save(Path file, Trainer t, int epoch, long seed) {
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        for (ParamRef p : t.model().params()) {
            tensors.put(p.key(), floats(t, t.weights().get(p)));
        }
        Optimizer o = t.optimizer();
        for (ParamRef p : t.model().params()) {
            if (o.firstMoment(p.index()) != null) {
                tensors.put("optimizer/" + p.key() + "/m", floats(t, o.firstMoment(p.index())));
            }
            if (o.secondMoment(p.index()) != null) {
                tensors.put("optimizer/" + p.key() + "/v", floats(t, o.secondMoment(p.index())));
            }
        }
        tensors.put("optimizer/iterations", NamedTensor.ofLongs(new long[] {o.iterations()}, 1));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(MODEL, t.model().name());
        meta.put(EPOCH, Integer.toString(epoch));
        meta.put(SEED, Long.toString(seed));
        meta.put("optimizer", o.isAdam() ? "adam" : "sgd_momentum");
        meta.put("format", "convnet4j/1");
        SafeTensors.write(file, tensors, meta);
    }

    /** Loads weights only (evaluate, predict), validating every key, shape and dtype first. */
    public static Checkpoint loadWeights(Path file, Trainer t) {
        Checkpoint c = SafeTensors.read(file);
        Map<String, TensorSpec> expected = new LinkedHashMap<>();
        for (ParamRef p : t.model().params()) {
            expected.put(p.key(), TensorSpec.f32(p.spec().shape().dims()));
        }
        Map<String, NamedTensor> weightsOnly = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (!k.startsWith("optimizer/")) {
                weightsOnly.put(k, v);
            }
        });
        new Checkpoint(file, weightsOnly, c.metadata()).requireMatches(expected);
        for (ParamRef p : t.model().params()) {
            t.backend().upload(c.tensor(p.key()).toFloats(), t.weights().get(p));
        }
        return c;
    }

    /** Loads weights and optimizer state to resume training; returns the checkpoint (its metadata holds the epoch). */
    public static Checkpoint loadTrainingState(Path file, Trainer t) {
        Checkpoint c = loadWeights(file, t);
        Map<String, TensorSpec> expected = new LinkedHashMap<>();
        Optimizer o = t.optimizer();
        for (ParamRef p : t.model().params()) {
            expected.put(p.key(), TensorSpec.f32(p.spec().shape().dims()));
            if (o.firstMoment(p.index()) != null) {
                expected.put("optimizer/" + p.key() + "/m", TensorSpec.f32(p.spec().shape().dims()));
            }
            if (o.secondMoment(p.index()) != null) {
                expected.put("optimizer/" + p.key() + "/v", TensorSpec.f32(p.spec().shape().dims()));
            }
        }
        expected.put("optimizer/iterations", TensorSpec.of(org.convnet4j.io.ElementType.I64, 1));
        c.requireMatches(expected);
        for (ParamRef p : t.model().params()) {
            if (o.firstMoment(p.index()) != null) {
                t.backend().upload(c.tensor("optimizer/" + p.key() + "/m").toFloats(), o.firstMoment(p.index()));
            }
            if (o.secondMoment(p.index()) != null) {
                t.backend().upload(c.tensor("optimizer/" + p.key() + "/v").toFloats(), o.secondMoment(p.index()));
            }
        }
        o.iterations(c.tensor("optimizer/iterations").toLongs()[0]);
        return c;
    }

    private static NamedTensor floats(Trainer t, Tensor x) {
        float[] v = new float[Math.toIntExact(x.size())];
        t.backend().download(x, v);
        return NamedTensor.ofFloats(v, x.shape().dims());
    }
}
