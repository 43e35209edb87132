package org.convnet4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointTest {
    private static final Path FILE = Path.of("/runs/lenet/epoch_3.safetensors");

    @Test
    void requireMatchesListsEveryProblem() {
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        tensors.put("conv2d_1/kernel", NamedTensor.ofFloats(new float[6 * 3 * 25], 6, 3, 5, 5));
        tensors.put("dense_1/bias", NamedTensor.ofInts(new int[10], 10));
        tensors.put("extra", NamedTensor.ofFloats(new float[2], 2));
        Checkpoint c = new Checkpoint(FILE, tensors, Map.of());
        Map<String, TensorSpec> expected = new LinkedHashMap<>();
        expected.put("conv2d_1/kernel", TensorSpec.f32(6, 1, 5, 5));
        expected.put("conv2d_1/bias", TensorSpec.f32(6));
        expected.put("dense_1/bias", TensorSpec.f32(10));

        CheckpointException e = assertThrows(CheckpointException.class, () -> c.requireMatches(expected));

        assertEquals(List.of(
                "conv2d_1/kernel: expected 6x1x5x5 F32, found 6x3x5x5 F32",
                "conv2d_1/bias: missing, expected 6 F32",
                "dense_1/bias: expected 10 F32, found 10 I32",
                "extra: unexpected, found 2 F32"), e.problems());
        assertTrue(e.getMessage().startsWith("checkpoint " + FILE + ": does not match the model (4 problems)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("\n  extra: unexpected, found 2 F32"), e.getMessage());
    }

    @Test
    void requireMatchesAcceptsAnExactMatch() {
        Checkpoint c = new Checkpoint(FILE, Map.of("w", NamedTensor.ofFloats(new float[4], 2, 2),
                "step", NamedTensor.ofLongs(new long[] {3})), Map.of());
        c.requireMatches(Map.of("w", TensorSpec.f32(2, 2), "step", TensorSpec.of(ElementType.I64)));
    }

    @Test
    void missingTensorNamesWhatThereIs() {
        Checkpoint c = new Checkpoint(FILE, Map.of("w", NamedTensor.ofFloats(new float[1], 1)), Map.of());
        CheckpointException e = assertThrows(CheckpointException.class, () -> c.tensor("v"));
        assertEquals("checkpoint " + FILE + ": has no tensor 'v'; it holds 1 tensors: w", e.getMessage());
    }

    @Test
    void tensorDataMustMatchItsShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NamedTensor.ofFloats(new float[5], 2, 3));
        assertEquals("A 2x3 F32 tensor needs 24 bytes of data. Received 20", e.getMessage());
        IllegalStateException wrongType = assertThrows(IllegalStateException.class,
                () -> NamedTensor.ofInts(new int[1], 1).toFloats());
        assertEquals("toFloats reads F32 tensors only. Received 1 I32", wrongType.getMessage());
    }
}
