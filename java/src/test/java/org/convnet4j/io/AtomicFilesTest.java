package org.convnet4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed save leaves the previous file as it was and no temporary file behind; a save killed midway
 * leaves one that the next save of the same file removes.
 */
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

    /** What a kill -9 mid-save leaves: the next write of the same target removes it, and nothing else. */
    @Test
    void theNextWriteRemovesStaleTemporariesOfItsTargetOnly() throws IOException {
        Path file = dir.resolve("ckpt.safetensors");
        List<Path> stale = List.of(dir.resolve(".ckpt.safetensors.1f2e3d4c5b6a7988.tmp"),
                dir.resolve(".ckpt.safetensors.0.tmp"));
        for (Path p : stale) {
            Files.write(p, new byte[4096]);
        }
        List<Path> others = List.of(dir.resolve(".other.safetensors.1f2e3d4c.tmp"),
                dir.resolve(".ckpt.safetensors.1f2e3d4c.tmp.keep"), dir.resolve("ckpt.safetensors.1f2e3d4c.tmp"),
                dir.resolve(".ckpt.safetensors.XYZ.tmp"), dir.resolve(".ckpt.safetensors.12345678901234567.tmp"),
                dir.resolve(".ckptXsafetensors.1f2e3d4c.tmp"), dir.resolve(".ckpt.safetensors.1f2e3d4c.tmp.tmp"));
        for (Path p : others) {
            Files.write(p, new byte[] {7});
        }
        Path folder = Files.createDirectory(dir.resolve(".ckpt.safetensors.abc.tmp"));

        SafeTensors.write(file, Map.of("w", NamedTensor.ofFloats(new float[] {1}, 1)), Map.of());

        for (Path p : stale) {
            assertFalse(Files.exists(p), p + " should be removed");
        }
        for (Path p : others) {
            assertArrayEquals(new byte[] {7}, Files.readAllBytes(p), p + " is not a temporary of the target");
        }
        assertTrue(Files.isDirectory(folder));
        assertArrayEquals(new float[] {1}, SafeTensors.read(file).tensor("w").toFloats());
    }

    /** A write in progress in this JVM is not stale: a second write of the same target leaves it alone. */
    @Test
    void aWriteInProgressIsNotStale() throws IOException {
        Path file = dir.resolve("history.csv");
        AtomicFiles.write(file, channel -> {
            AtomicFiles.writeFully(channel, ByteBuffer.wrap("outer".getBytes()));
            AtomicFiles.write(file, "inner".getBytes());
            assertEquals("inner", Files.readString(file));
            assertEquals(1, list(dir).stream().filter(p -> p.getFileName().toString().endsWith(".tmp")).count(),
                    "the outer write's temporary survives the inner write's cleanup");
        });
        assertEquals("outer", Files.readString(file));
        assertEquals(List.of(file), list(dir));
    }

    /**
     * A temporary another live process holds locked is being written and stays; once that process
     * dies (its lock with it), the next write removes it.
     */
    @Test
    void anotherProcesssTemporaryStaysUntilItDies() throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        Path theirs = dir.resolve(".ckpt.safetensors.abcdef.tmp");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), theirs.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            AtomicFiles.write(file, new byte[] {1});
            assertTrue(Files.exists(theirs), "a locked temporary is being written by its process");
            assertEquals(List.of(), AtomicFiles.removeStaleTemporaries(file));
        } finally {
            holder.destroyForcibly();
            holder.waitFor(30, TimeUnit.SECONDS);
        }
        AtomicFiles.write(file, new byte[] {2});
        assertFalse(Files.exists(theirs), "its writer is dead");
        assertEquals(List.of(file), list(dir));
    }

    /** Creates and locks the file named by args[0] as a writer would, says so, and waits to be killed. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
                ch.write(ByteBuffer.wrap(new byte[1024]));
                System.out.println("locked");
                System.out.flush();
                Thread.sleep(120_000);
            }
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
