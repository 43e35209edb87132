package org.convnet4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void everyDtypeRoundTrips() {
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        tensors.put("conv2d_1/kernel", NamedTensor.ofFloats(new float[] {1.5f, -2f, Float.MIN_VALUE, Float.NaN,
                Float.POSITIVE_INFINITY, -0f}, 2, 3));
        tensors.put("labels", NamedTensor.ofInts(new int[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}, 4));
        tensors.put("adam/step", NamedTensor.ofLongs(new long[] {Long.MAX_VALUE}));
        tensors.put("half", NamedTensor.ofHalfBits(ElementType.F16, new short[] {0x3c00, (short) 0xc000}, 2, 1));
        tensors.put("brain", NamedTensor.ofHalfBits(ElementType.BF16, new short[] {0x3f80, 0x7f80, 1}, 3));
        tensors.put("mask", NamedTensor.ofBytes(new byte[] {0, 1, (byte) 255}, 1, 3));
        tensors.put("empty", NamedTensor.ofFloats(new float[0], 0, 5));
        Map<String, String> metadata = Map.of("format", "pt", "epoch", "7");
        Path file = dir.resolve("model.safetensors");

        SafeTensors.write(file, tensors, metadata);
        Checkpoint c = SafeTensors.read(file);

        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(c.tensors().keySet()), "insertion order");
        assertEquals(metadata, c.metadata());
        for (String name : tensors.keySet()) {
            assertEquals(tensors.get(name).spec(), c.tensor(name).spec(), name);
            assertEquals(tensors.get(name).data(), c.tensor(name).data(), name);
        }
        assertArrayEquals(tensors.get("conv2d_1/kernel").toFloats(), c.tensor("conv2d_1/kernel").toFloats());
        assertArrayEquals(new int[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}, c.tensor("labels").toInts());
        assertArrayEquals(new long[] {Long.MAX_VALUE}, c.tensor("adam/step").toLongs());
        assertEquals(0, c.tensor("adam/step").shape().length, "scalar keeps rank 0");
        assertArrayEquals(new short[] {0x3f80, 0x7f80, 1}, c.tensor("brain").toHalfBits());
        assertArrayEquals(new byte[] {0, 1, (byte) 255}, c.tensor("mask").toBytes());
        assertArrayEquals(new byte[] {0, 0, (byte) 0xc0, 0x3f, 0, 0, 0, (byte) 0xc0, 1, 0, 0, 0,
                0, 0, (byte) 0xc0, 0x7f, 0, 0, (byte) 0x80, 0x7f, 0, 0, 0, (byte) 0x80}, c.tensor("conv2d_1/kernel").toBytes(),
                "raw little-endian bytes of any dtype");
    }

    @Test
    void headerFollowsTheSpec() throws IOException {
        Path file = dir.resolve("a.safetensors");
        SafeTensors.write(file, Map.of("w", NamedTensor.ofFloats(new float[] {1, 2, 3}, 3)), Map.of());
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long n = bytes.getLong(0);
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        String header = new String(bytes.array(), 8, (int) n, StandardCharsets.UTF_8);
        // 384de783: CRC32C of the 12 data bytes, computed independently (PythonCompatibilityTest checks more).
        assertEquals("{\"__metadata__\":{\"crc32c/w\":\"384de783\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", header.strip());
        assertEquals(8 + n + 12, bytes.capacity());
        assertEquals(2f, bytes.getFloat((int) (8 + n + 4)), "data is little-endian");
    }

    /** A file assembled byte by byte from the spec, as another implementation would write it. */
    @Test
    void readsAHandBuiltReferenceFile() throws IOException {
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + header.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header).putFloat(0.25f).putFloat(-4f).putLong(-3L);
        Path path = dir.resolve("ref.safetensors");
        Files.write(path, file.array());

        Checkpoint c = SafeTensors.read(path);

        assertEquals(Map.of("format", "pt"), c.metadata());
        assertArrayEquals(new float[] {0.25f, -4f}, c.tensor("a").toFloats());
        assertArrayEquals(new long[] {1, 2}, c.tensor("a").shape());
        assertArrayEquals(new long[] {-3L}, c.tensor("b").toLongs());
    }

    @Test
    void unicodeAndEscapedNamesRoundTrip() {
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        tensors.put("bloc\u00e9/\"q\"\\\n\u0001\ud83d\ude00", NamedTensor.ofInts(new int[] {7}, 1));
        Path file = dir.resolve("names.safetensors");
        SafeTensors.write(file, tensors, Map.of("note", "tab\there \u00fc"));
        Checkpoint c = SafeTensors.read(file);
        assertEquals(tensors.keySet(), c.tensors().keySet());
        assertEquals("tab\there \u00fc", c.metadata().get("note"));
    }

    /** Over the 8 MB chunk size, so the chunked heap write and the single mapping are both exercised. */
    @Test
    void largeTensorsStream() {
        float[] big = new float[3_000_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = i;
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(4 * 1000).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 1000; i++) {
            direct.putFloat(-i);
        }
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        tensors.put("big", NamedTensor.ofFloats(big, 3000, 1000));
        tensors.put("direct", new NamedTensor(ElementType.F32, new long[] {1000}, direct.flip()));
        Path file = dir.resolve("big.safetensors");
        SafeTensors.write(file, tensors, Map.of());
        Checkpoint c = SafeTensors.read(file);
        assertArrayEquals(big, c.tensor("big").toFloats());
        assertEquals(-999f, c.tensor("direct").toFloats()[999]);
        assertTrue(c.tensor("big").data().isDirect(), "read maps the file rather than copying it");
    }

    @Test
    void overwritesAnExistingCheckpoint() {
        Path file = dir.resolve("ckpt.safetensors");
        SafeTensors.write(file, Map.of("w", NamedTensor.ofFloats(new float[] {1}, 1)), Map.of());
        SafeTensors.write(file, Map.of("w", NamedTensor.ofFloats(new float[] {2, 3}, 2)), Map.of());
        assertArrayEquals(new float[] {2, 3}, SafeTensors.read(file).tensor("w").toFloats());
    }

    /** The metadata alone comes from the header: it matches a full read's and skips the checksum keys. */
    @org.junit.jupiter.api.Test
    void metadataAloneMatchesAFullReadsWithoutReadingTensors(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path file = dir.resolve("m.safetensors");
        java.util.Map<String, NamedTensor> tensors = new java.util.LinkedHashMap<>();
        tensors.put("w", NamedTensor.ofFloats(new float[] {1, 2, 3}, 3));
        SafeTensors.write(file, tensors, java.util.Map.of("epoch", "4", "run/seed", "7"));
        java.util.Map<String, String> meta = SafeTensors.metadata(file);
        org.junit.jupiter.api.Assertions.assertEquals(SafeTensors.read(file).metadata(), meta);
        org.junit.jupiter.api.Assertions.assertEquals("4", meta.get("epoch"));
        org.junit.jupiter.api.Assertions.assertTrue(meta.keySet().stream().noneMatch(k -> k.startsWith(SafeTensors.CHECKSUM_PREFIX)),
                meta.toString());
    }
}
