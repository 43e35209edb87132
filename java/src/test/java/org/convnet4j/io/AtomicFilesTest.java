package org.convnet4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed save leaves the previous file as it was and no temporary file behind. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void failureMidWriteKeepsTheOldFile() throws IOException {
        Path file = dir.resolve("ckpt.safetensors");
        SafeTensors.write(file, Map.of("w", NamedTensor.ofFloats(new float[] {1, 2}, 2)), Map.of());
        byte[] before = Files.readAllBytes(file);

        IOException diskFull = new IOException("No space left on device");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(file, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(new byte[1000]));
            throw diskFull;
        }));

        assertEquals(diskFull, e.getCause());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), list(dir));
    }

    @Test
    void runtimeFailureMidWriteKeepsTheOldFile() throws IOException {
        Path file = dir.resolve("metrics.json");
        AtomicFiles.write(file, "{}".getBytes());
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(file, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap("{\"half".getBytes()));
            throw new IllegalStateException("tensor freed while saving");
        }));
        assertEquals("{}", Files.readString(file));
        assertEquals(List.of(file), list(dir));
    }

    /** The rename fails after the temporary file is complete: the target is a non-empty directory. */
    @Test
    void failedRenameRemovesTheTemporaryFile() throws IOException {
        Path target = Files.createDirectory(dir.resolve("ckpt.safetensors"));
        Files.writeString(target.resolve("inside"), "x");
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.write(target,
                Map.of("w", NamedTensor.ofFloats(new float[] {1}, 1)), Map.of()));
        assertTrue(e.getMessage().startsWith("checkpoint " + target + ": cannot write"), e.getMessage());
        assertEquals(List.of(target), list(dir));
    }

    @Test
    void readOnlyDirectoryKeepsTheOldFile() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("ro"));
        Path file = sub.resolve("ckpt.safetensors");
        SafeTensors.write(file, Map.of("w", NamedTensor.ofFloats(new float[] {1}, 1)), Map.of());
        Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(sub), "running as root: permissions do not stop writes");
            assertThrows(CheckpointException.class, () -> SafeTensors.write(file,
                    Map.of("w", NamedTensor.ofFloats(new float[] {9}, 1)), Map.of()));
            assertArrayEquals(new float[] {1}, SafeTensors.read(file).tensor("w").toFloats());
            assertEquals(List.of(file), list(sub));
        } finally {
            Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void newFileGetsOrdinaryPermissions() throws IOException {
        Path file = dir.resolve("plain.bin");
        AtomicFiles.write(file, new byte[] {1});
        Path reference = Files.createFile(dir.resolve("reference.bin"));
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(file),
                "not the 0600 of a createTempFile temporary");
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
