package org.convnet4j.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The files of an image-folder data set, from a zip or a directory, named by their path relative to the
 * root with '/' separators ({@code <class>/<file>}). Reads are safe from several threads at once.
 */
abstract class ImageSource implements Closeable {
    final Path root;

    private ImageSource(Path root) {
        this.root = root;
    }

    /** A zip file (by content, whatever its name) or a directory. */
    static ImageSource open(Path zipOrDir) {
        if (Files.isDirectory(zipOrDir)) {
            return new Dir(zipOrDir);
        }
        if (!Files.isRegularFile(zipOrDir)) {
            throw new DataException(zipOrDir + ": no such zip file or directory");
        }
        String name = zipOrDir.getFileName().toString();
        if (name.endsWith(".tar.gz") || name.endsWith(".tgz") || name.endsWith(".tar")) {
            throw new DataException(zipOrDir + ": a tar archive cannot be read in place; extract it (tar xf) and"
                    + " pass the extracted folder, or pass a zip");
        }
        return new Zip(zipOrDir);
    }

    /** Every regular file's relative path, in no particular order. */
    abstract List<String> files();

    abstract byte[] read(String path);

    /** How an error message names one file: the file itself, or the zip and the entry. */
    abstract String describe(String path);

    private static final class Zip extends ImageSource {
        private final ZipFile zip;

        Zip(Path file) {
            super(file);
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
                byte[] bytes = in.readAllBytes();
                if (entry.getSize() >= 0 && bytes.length != entry.getSize()) {
                    throw new DataException(describe(path) + ": expected " + entry.getSize() + " bytes, got "
                            + bytes.length);
                }
                return bytes;
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
        Dir(Path dir) {
            super(dir);
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
            try {
                return Files.readAllBytes(root.resolve(path));
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
