package org.convnet4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a file can be corrupt gives a CheckpointException that names the file and the fault. */
class SafeTensorsCorruptionTest {
    private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @TempDir
    Path dir;

    @Test
    void shorterThanTheLengthField() throws IOException {
        Path file = dir.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertFails(file, "3 bytes, shorter than the 8-byte header length");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        assertFails(file(1000, "{" + A + "}", 8), "header length 1000 is larger than");
        assertFails(file(-1, "{" + A + "}", 8), "header length 18446744073709551615 is larger than");
    }

    @Test
    void invalidJson() throws IOException {
        assertFails(file("{" + A + ",}", 8), "not valid JSON: expected a string key");
        assertFails(file("{" + A, 8), "not valid JSON: expected ',' or '}'");
        assertFails(file("[1]", 0), "must start with '{'");
        assertFails(file("{" + A + "," + A + "}", 8), "duplicate key \"a\"");
        assertFails(file("{" + A + "} x", 8), "expected end of header");
    }

    @Test
    void headerNotUtf8() throws IOException {
        Path file = dir.resolve("latin1.safetensors");
        byte[] header = "{\"\u00e9\":{}}".getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        Files.write(file, b.putLong(header.length).put(header).array());
        assertFails(file, "not valid UTF-8");
    }

    @Test
    void unknownDtype() throws IOException {
        assertFails(file("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8),
                "tensor 'a' has unsupported dtype \"F64\"; expected one of [F32, I32, I64, F16, BF16, U8]");
    }

    @Test
    void malformedEntries() throws IOException {
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8),
                "tensor 'a' must have exactly the fields dtype, shape and data_offsets");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8),
                "tensor 'a' shape must hold non-negative 64-bit integers, found -2");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8),
                "found 2.5");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8),
                "data_offsets must be an array of 2 non-negative integers, found an array of 1");
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8),
                "end before they begin");
        assertFails(file("{\"__metadata__\":{\"k\":1}," + A + "}", 8), "value of \"k\" must be a string");
        assertFails(file("{\"a\":[]}", 0), "tensor 'a' must be a JSON object, found an array");
    }

    @Test
    void shapeDisagreesWithOffsets() throws IOException {
        assertFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "tensor 'a' is 3 F32, which needs 12 bytes, but its data_offsets [0, 8] span 8");
    }

    @Test
    void overlappingOffsets() throws IOException {
        String b = "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}";
        assertFails(file("{" + A + "," + b + "}", 12), "tensors 'a' and 'b' overlap");
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        assertFails(file("{" + A + "}", 4), "tensor 'a' data_offsets [0, 8] run past the end of the 4-byte");
    }

    @Test
    void offsetsLeaveAGap() throws IOException {
        String b = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}";
        assertFails(file("{" + A + "," + b + "}", 16), "bytes 8 to 12 of the data buffer belong to no tensor");
    }

    @Test
    void trailingBytes() throws IOException {
        assertFails(file("{" + A + "}", 11), "3 trailing bytes");
    }

    @Test
    void missingFile() {
        assertFails(dir.resolve("nope.safetensors"), "cannot read");
    }

    /** One bit flipped in a tensor's data: the header is intact, only the checksum can tell. */
    @Test
    void aFlippedBitInTensorDataNamesTheTensor() throws IOException {
        Path file = dir.resolve("flipped.safetensors");
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        tensors.put("conv2d_1/kernel", NamedTensor.ofFloats(new float[] {0.5f, -1f, 2f}, 3));
        tensors.put("dense_1/bias", NamedTensor.ofFloats(new float[] {0.25f, 4f}, 2));
        SafeTensors.write(file, tensors, Map.of("epoch", "3"));
        byte[] bytes = Files.readAllBytes(file);
        long dataStart = 8 + ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        bytes[(int) dataStart + 12 + 5] ^= 0x10; // bias element 1, a mantissa bit: still a finite float
        Files.write(file, bytes);

        assertFails(file, "tensor 'dense_1/bias' fails its checksum: its 8 bytes have CRC32C ");
        assertFails(file, "the data is corrupt");
        bytes[(int) dataStart + 12 + 5] ^= 0x10;
        Files.write(file, bytes);
        assertEquals(Map.of("epoch", "3"), SafeTensors.read(file).metadata(), "the checksums are not user metadata");
    }

    @Test
    void damagedChecksumKeysAreErrors() throws IOException {
        assertFails(file("{\"__metadata__\":{\"crc32c/b\":\"00000000\"}," + A + "}", 8),
                "metadata \"crc32c/b\" is the checksum of a tensor 'b' that the file does not hold");
        assertFails(file("{\"__metadata__\":{\"crc32c/a\":\"12345\"}," + A + "}", 8),
                "metadata \"crc32c/a\" must be a CRC32C as 8 lowercase hex digits, found \"12345\"");
        String b = "\"b\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]}";
        // b's checksum (of no bytes) is right, a's is missing: one damaged key must not switch a's check off.
        assertFails(file("{\"__metadata__\":{\"crc32c/b\":\"00000000\"}," + A + "," + b + "}", 8),
                "tensor 'a' has no checksum (no metadata \"crc32c/a\") although the file's other tensors have one");
    }

    /** A file another tool wrote (no checksums) still loads, its metadata whole. */
    @Test
    void aFileWithoutChecksumsStillLoads() throws IOException {
        Path file = file("{\"__metadata__\":{\"format\":\"pt\"}," + A + "}", 8);
        Checkpoint c = SafeTensors.read(file);
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertArrayEquals(new float[] {0, 0}, c.tensor("a").toFloats());
    }

    @Test
    void checksumKeysAreReservedOnWrite() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(
                dir.resolve("x.safetensors"), Map.of("w", NamedTensor.ofFloats(new float[] {1}, 1)),
                Map.of("crc32c/w", "00000000")));
        assertTrue(e.getMessage().contains("reserved for the tensors' checksums"), e.getMessage());
    }

    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private Path file(long declaredLength, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(json);
        Path file = Files.createTempFile(dir, "corrupt", ".safetensors");
        Files.write(file, b.array());
        return file;
    }

    private static void assertFails(Path file, String expected) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().startsWith("checkpoint " + file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
        assertEquals(file, e.file());
    }
}
