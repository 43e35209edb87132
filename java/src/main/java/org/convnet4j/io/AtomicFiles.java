package org.convnet4j.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Replaces a file so that a reader sees either the old content or the new, never a half-written file:
 * the content goes to a temporary file in the same directory (a rename is only atomic within one file
 * system), is forced to disk, and is then renamed over the target. A training run killed mid-save
 * keeps its previous checkpoint.
 *
 * <p>A kill mid-save does leave the temporary file ({@code .<name>.<hex>.tmp}, up to the size of the
 * whole file). The next write of the same target removes such leftovers ({@link #removeStaleTemporaries}):
 * only files named exactly as this class names that target's temporaries, and only those nobody is
 * writing. A writer holds a lock on its temporary until the rename is done (locks die with their
 * process, so a killed writer's file is unlocked) and this JVM's own writes in progress are skipped
 * by name, never opened, since closing any channel to a file drops the process's locks on it.
 */
public final class AtomicFiles {

    /** Writes the whole content of the temporary file. */
    @FunctionalInterface
    public interface Body {
        /**
         * Writes the content.
         *
         * @param channel the temporary file, open for writing
         * @throws IOException when a write fails; the target is then left as it was
         */
        void writeTo(FileChannel channel) throws IOException;
    }

    /** File names of the temporaries this JVM is writing now; their random part makes them unique. */
    private static final Set<String> IN_FLIGHT = ConcurrentHashMap.newKeySet();

    private AtomicFiles() {
    }

    /**
     * Replaces {@code target} with {@code bytes} atomically, as {@link #write(Path, Body)} does.
     *
     * @param target the file to replace or create
     * @param bytes its new content
     */
    public static void write(Path target, byte[] bytes) {
        write(target, channel -> writeFully(channel, ByteBuffer.wrap(bytes)));
    }

    /**
     * Runs body on a fresh temporary file and renames it over target. If body or any later step
     * fails, the temporary file is deleted and target is left as it was. Stale temporaries of target
     * that killed writers left behind are removed first.
     *
     * @param target the file to replace or create
     * @param body writes the new content
     */
    public static void write(Path target, Body body) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        removeStaleTemporaries(absolute);
        Path temp = null; // set once this call has created it, so a failure never deletes another's file
        try {
            for (int attempt = 1; ; attempt++) {
                // Not Files.createTempFile: that creates the file with mode 0600, which the rename would pass
                // on to the checkpoint. A plain CREATE_NEW file gets the usual umask permissions.
                Path name = dir.resolve("." + absolute.getFileName() + "."
                        + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
                IN_FLIGHT.add(name.getFileName().toString());
                try (FileChannel channel = FileChannel.open(name, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    temp = name;
                    if (!lock(channel, temp)) {
                        // Another process's cleanup took the file between its creation and our lock.
                        IN_FLIGHT.remove(temp.getFileName().toString());
                        temp = null;
                        if (attempt == 3) {
                            throw new IOException("its temporary file was removed three times while being created");
                        }
                        continue;
                    }
                    body.writeTo(channel);
                    channel.force(true);
                    // Renamed while still open and locked, so no cleanup can take it after the last write.
                    Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    if (temp == null) {
                        IN_FLIGHT.remove(name.getFileName().toString());
                    }
                }
                break;
            }
        } catch (IOException e) {
            deleteQuietly(temp, e);
            throw new UncheckedIOException("Cannot write " + target + ": " + e, e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(temp, e);
            throw e;
        } finally {
            if (temp != null) {
                IN_FLIGHT.remove(temp.getFileName().toString());
            }
        }
        forceDirectory(dir);
    }

    /**
     * Deletes the temporaries of target ({@code .<name>.<hex>.tmp} beside it) that no writer holds:
     * those a writer killed mid-save left behind. Files of other names, other targets' temporaries,
     * this JVM's writes in progress and temporaries another process holds locked are left alone, as is
     * everything where locks are unsupported. Never fails: a leftover that cannot be removed now is
     * tried again on the next write. Returns the files it deleted.
     *
     * @param target the file whose temporaries to look for
     * @return the files deleted
     */
    public static List<Path> removeStaleTemporaries(Path target) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Pattern temporary = Pattern.compile("\\." + Pattern.quote(absolute.getFileName().toString())
                + "\\.[0-9a-f]{1,16}\\.tmp");
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path f : entries) {
                String name = f.getFileName().toString();
                if (!temporary.matcher(name).matches() || IN_FLIGHT.contains(name)
                        || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (FileChannel channel = FileChannel.open(f, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                     FileLock lock = channel.tryLock()) {
                    if (lock != null) {
                        // Deleted while locked: a writer that created it and is waiting for its lock
                        // then finds it gone and starts over under a new name.
                        Files.delete(f);
                        removed.add(f);
                    }
                } catch (IOException | OverlappingFileLockException | UnsupportedOperationException e) {
                    // Gone already, in use, or unlockable here: leave it.
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // An unreadable directory: the write itself reports what is wrong with it.
        }
        return removed;
    }

    /** Takes the writer's lock; false if the file was deleted before the lock was ours. */
    private static boolean lock(FileChannel channel, Path temp) throws IOException {
        try {
            channel.lock();
        } catch (IOException | UnsupportedOperationException e) {
            return true; // no locks on this file system: nothing else can have removed it through one
        }
        return Files.exists(temp, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Writes all of src, however many calls the channel needs.
     *
     * @param channel where to write
     * @param src the bytes from its position to its limit
     * @throws IOException when a write fails
     */
    public static void writeFully(FileChannel channel, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            channel.write(src);
        }
    }

    private static void deleteQuietly(Path temp, Throwable failure) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    // The rename is durable only once the directory entry is on disk. Linux lets a directory be opened
    // and forced; file systems and platforms that refuse do not make the rename any less atomic, so a
    // refusal here is not an error.
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Durability against power loss only; the content is already complete and in place.
        }
    }
}
