package org.convnet4j.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The files of an image-folder data set, from a zip or a directory, named by their path relative to the
 * root with '/' separators ({@code <class>/<file>}). Reads are safe from several threads at once.
 *
 * <p>A read is refused before it starts when the zip entry's declared uncompressed size, or the file's
 * size, is over {@link DataLimits#maxEntryBytes()}, and stops as soon as more bytes arrive than were
 * declared or than the limit allows: a zip's sizes can lie.
 */
abstract class ImageSource implements Closeable {
    final Path root;
    final DataLimits limits;

    private ImageSource(Path root, DataLimits limits) {
        this.root = root;
        this.limits = limits;
    }

    /** A zip file (by content, whatever its name) or a directory. */
    static ImageSource open(Path zipOrDir, DataLimits limits) {
        if (Files.isDirectory(zipOrDir)) {
            return new Dir(zipOrDir, limits);
        }
        if (!Files.isRegularFile(zipOrDir)) {
            throw new DataException(zipOrDir + ": no such zip file or directory");
        }
        String name = zipOrDir.getFileName().toString();
        if (name.endsWith(".tar.gz") || name.endsWith(".tgz") || name.endsWith(".tar")) {
            throw new DataException(zipOrDir + ": a tar archive cannot be read in place; extract it (tar xf) and"
                    + " pass the extracted folder, or pass a zip");
        }
        return new Zip(zipOrDir, limits);
    }

    /** Every regular file's relative path, in no particular order. */
    abstract List<String> files();

    abstract byte[] read(String path);

    /** How an error message names one file: the file itself, or the zip and the entry. */
    abstract String describe(String path);

    /**
     * All of {@code in}, which declares {@code declared} bytes (-1: unknown), refusing it before reading
     * when the declared size is over the entry limit and stopping as soon as it gives more than it declared
     * or than the limit. {@code name} names the file or entry in errors.
     */
    static byte[] readLimited(InputStream in, long declared, DataLimits limits, String name) throws IOException {
        long limit = limits.entryLimit();
        if (declared > limit) {
            throw new DataLimitException(name + ": declares " + DataLimits.bytes(declared) + " uncompressed, over "
                    + limits.entryLimitText());
        }
        if (declared >= 0) {
            byte[] bytes = new byte[(int) declared];
            int n = in.readNBytes(bytes, 0, bytes.length);
            if (n < bytes.length) {
                throw new DataException(name + ": expected " + declared + " bytes, got " + n);
            }
            if (in.read() >= 0) {
                throw new DataLimitException(name + ": holds more than the " + DataLimits.bytes(declared)
                        + " it declares; stopped after " + (declared + 1) + " bytes (nothing is read past a declared"
                        + " size, nor past " + limits.entryLimitText() + ")");
            }
            return bytes;
        }
        byte[] bytes = new byte[(int) Math.min(limit + 1, 1 << 16)];
        int n = 0;
        for (int r; (r = in.read(bytes, n, bytes.length - n)) >= 0; ) {
            n += r;
            if (n > limit) {
                throw new DataLimitException(name + ": holds more than " + limits.entryLimitText()
                        + "; stopped after " + n + " bytes");
            }
            if (n == bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(limit + 1, 2L * bytes.length));
            }
        }
        return Arrays.copyOf(bytes, n);
    }

    private static final class Zip extends ImageSource {
        private final ZipFile zip;

        Zip(Path file, DataLimits limits) {
            super(file, limits);
            try {
                zip = new ZipFile(file.toFile());
            } catch (ZipException e) {
                throw new DataException(file + ": not a readable zip file (" + e.getMessage() + ")", e);
            } catch (IOException e) {
                throw new DataException(file + ": cannot open zip file: " + e, e);
            }
        }

        @Override
        List<String> files() {
            List<String> names = new ArrayList<>();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (!e.isDirectory()) {
                    names.add(e.getName());
                }
            }
            return names;
        }

        @Override
        byte[] read(String path) {
            ZipEntry entry = zip.getEntry(path);
            try (InputStream in = zip.getInputStream(entry)) {
                return readLimited(in, entry.getSize(), limits, describe(path));
            } catch (IOException e) {
                throw new DataException(describe(path) + ": cannot read zip entry (" + e.getMessage()
                        + "); the zip may be truncated or corrupt", e);
            }
        }

        @Override
        String describe(String path) {
            return root + ", entry " + path;
        }

        @Override
        public void close() throws IOException {
            zip.close();
        }
    }

    private static final class Dir extends ImageSource {
        Dir(Path dir, DataLimits limits) {
            super(dir, limits);
        }

        @Override
        List<String> files() {
            try (Stream<Path> walk = Files.walk(root)) {
                return walk.filter(Files::isRegularFile)
                        .map(p -> root.relativize(p).toString().replace(root.getFileSystem().getSeparator(), "/"))
                        .toList();
            } catch (IOException | UncheckedIOException e) {
                throw new DataException(root + ": cannot list directory: " + e.getMessage(), e);
            }
        }

        @Override
        byte[] read(String path) {
            Path file = root.resolve(path);
            try (InputStream in = Files.newInputStream(file)) {
                long size = Files.size(file);
                if (size > limits.entryLimit()) {
                    throw new DataLimitException(describe(path) + ": " + DataLimits.bytes(size) + ", over "
                            + limits.entryLimitText());
                }
                return readLimited(in, size, limits, describe(path));
            } catch (IOException e) {
                throw new DataException(describe(path) + ": cannot read file: " + e, e);
            }
        }

        @Override
        String describe(String path) {
            return root.resolve(path).toString();
        }

        @Override
        public void close() {
        }
    }
}
