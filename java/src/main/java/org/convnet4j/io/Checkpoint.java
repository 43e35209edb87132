package org.convnet4j.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors and metadata of a checkpoint, in the order they were written. Tensor names are the
 * parameters' module paths ("conv2d_1/kernel"), so loading needs no separate key scheme. The metadata
 * is what the writer passed: the per-tensor checksums {@link SafeTensors} stores beside it are verified
 * on read and not repeated here.
 */
public record Checkpoint(Path file, Map<String, NamedTensor> tensors, Map<String, String> metadata) {

    /**
     * A checkpoint as read.
     *
     * @param file where it was read from
     * @param tensors its tensors by name
     * @param metadata its string metadata
     */
    public Checkpoint {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * The named tensor; a missing name is an error that lists what the file does hold.
     *
     * @param name a tensor's name, e.g. "conv2d_1/kernel"
     * @return the tensor
     */
    public NamedTensor tensor(String name) {
        NamedTensor t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(file, "has no tensor '" + name + "'; it holds " + tensors.size()
                    + " tensors: " + String.join(", ", tensors.keySet()));
        }
        return t;
    }

    /**
     * Checks that this checkpoint holds exactly the expected tensors, each with the expected type and
     * shape. Every missing key, unexpected key and mismatch is reported at once, one line each, e.g.
     * "conv2d_1/kernel: expected 6x1x5x5 F32, found 6x3x5x5 F32".
     *
     * @param expected the type and shape of every tensor a model needs, by name
     */
    public void requireMatches(Map<String, TensorSpec> expected) {
        List<String> problems = new ArrayList<>();
        expected.forEach((name, spec) -> {
            NamedTensor t = tensors.get(name);
            if (t == null) {
                problems.add(name + ": missing, expected " + spec);
            } else if (!t.spec().equals(spec)) {
                problems.add(name + ": expected " + spec + ", found " + t.spec());
            }
        });
        tensors.forEach((name, t) -> {
            if (!expected.containsKey(name)) {
                problems.add(name + ": unexpected, found " + t.spec());
            }
        });
        if (!problems.isEmpty()) {
            throw new CheckpointException(file, "does not match the model (" + problems.size()
                    + (problems.size() == 1 ? " problem" : " problems") + ")", problems);
        }
    }
}
