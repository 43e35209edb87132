package org.convnet4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import org.convnet4j.io.AtomicFiles;

/**
 * The lock a training run holds on its output folder, so that a second run into the same folder is
 * refused instead of both writing and the last one's files silently winning. It is an operating-system
 * lock ({@link FileChannel#tryLock}) on {@value #FILE} in the folder, which the system releases when
 * the process ends, however it ends: a lock file left behind by a killed run blocks nothing. The
 * file's text (pid, host, start time) only names the holder in the refusal. The file itself is left
 * in place on release: deleting it would let a run that had opened it just before lock an unlinked
 * file while a third run locks a new one.
 */
final class OutputLock implements AutoCloseable {
    static final String FILE = ".convnet4j.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private OutputLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks {@code dir} (which must exist) or fails naming the run that holds it. */
    static OutputLock acquire(Path dir) {
        Path file = dir.resolve(FILE);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the lock file " + file + ": " + e.getMessage(), e);
        }
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // another run in this same JVM holds it
            } catch (IOException e) {
                // A file system without locks (some FUSE mounts): run as before rather than not at all.
                System.err.println("convnet4j: warning: cannot lock " + file + " (" + e.getMessage()
                        + "); a second run into " + dir + " would not be refused");
                return new OutputLock(channel, null);
            }
            if (lock == null) {
                throw new IllegalStateException("another run is writing to " + dir + " (" + holder(file)
                        + "); wait for it to finish, or pass another --out");
            }
            channel.truncate(0);
            AtomicFiles.writeFully(channel, ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on " + host()
                    + " since " + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
            return new OutputLock(channel, lock);
        } catch (IOException e) {
            close(channel, e);
            throw new UncheckedIOException("cannot lock " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(channel, e);
            throw e;
        }
    }

    private static String holder(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "its lock file " + file + " names no holder yet" : text;
        } catch (IOException e) {
            return "its lock file " + file + " cannot be read: " + e.getMessage();
        }
    }

    /** The host name as the kernel has it; the resolver's answer only off Linux, where it may be slow. */
    private static String host() {
        try {
            return "host " + Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            try {
                return "host " + InetAddress.getLocalHost().getHostName();
            } catch (IOException ex) {
                return "an unknown host";
            }
        }
    }

    private static void close(FileChannel channel, Throwable failure) {
        try {
            channel.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Releases the lock (closing the channel releases it too); the file stays, see the class comment. */
    @Override
    public void close() {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock on " + FILE + ": " + e.getMessage(), e);
        }
    }
}
