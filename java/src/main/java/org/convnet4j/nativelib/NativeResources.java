package org.convnet4j.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Set;

import org.bytedeco.javacpp.Loader;

/**
 * Loads the native files convnet4j builds from {@code native/} and ships inside its jar as classpath
 * resources under {@code /org/convnet4j/native/<platform>/} (today only {@code linux-x86_64}):
 * {@code libconvnet4j.so}, the CPU kernels behind hand-written JNI, and
 * {@code convnet4j_kernels.fatbin}, the CUDA kernels that the GPU backend hands to
 * {@code cuModuleLoadData} as bytes (see native/README.md for why they are kept apart).
 *
 * <p>A library inside a jar cannot be mapped in place, so it is copied to a fresh temporary folder
 * (deleted on exit) and loaded with {@link System#load}; one that is a plain file on the class path
 * (target/classes in a Maven build) is loaded where it is. For debugging a fresh CMake build, the
 * system property {@value #DIR_PROPERTY} names a folder to take every native file from instead.
 */
public final class NativeResources {
    /** System property: a folder to load native files from instead of the class path. */
    public static final String DIR_PROPERTY = "convnet4j.native.dir";

    private static final Set<String> LOADED = new HashSet<>();
    private static Path extractDir;

    private NativeResources() {
    }

    /**
     * Loads a native library shipped with convnet4j, once per JVM; later calls return at once.
     *
     * @param fileName the file name, e.g. {@code libconvnet4j.so}
     * @throws UnsatisfiedLinkError naming the library, where it was looked for, and why it failed
     */
    public static synchronized void loadLibrary(String fileName) {
        if (LOADED.contains(fileName)) {
            return;
        }
        loadOpenMpRuntime(fileName);
        loadAlone(fileName);
    }

    /**
     * Loads a native library that needs no OpenMP runtime, without loading oneDNN first (the
     * environment setter that must run before oneDNN's libgomp starts, see {@link OpenMp}).
     */
    static synchronized void loadAlone(String fileName) {
        if (LOADED.contains(fileName)) {
            return;
        }
        Path path = libraryPath(fileName);
        try {
            System.load(path.toString());
        } catch (UnsatisfiedLinkError e) {
            throw linkError(fileName, "loading " + path + " failed: " + e.getMessage(), e);
        }
        LOADED.add(fileName);
    }

    /**
     * The bytes of a native resource, such as the CUDA fatbin.
     *
     * @throws IllegalStateException naming the file and where it was looked for when it is missing
     *     (a fatbin is missing when the build machine had no nvcc; see native/README.md); use
     *     {@link #hasResource} to ask first
     *
     * @param fileName the file's name, e.g. "convnet4j.fatbin"
     * @return its bytes
     */
    public static byte[] readResource(String fileName) {
        String dir = System.getProperty(DIR_PROPERTY);
        try {
            if (dir != null) {
                Path path = Paths.get(dir, fileName);
                if (!Files.isRegularFile(path)) {
                    throw new IllegalStateException("native resource " + fileName + " not found at " + path
                            + " (-D" + DIR_PROPERTY + "=" + dir + ")");
                }
                return Files.readAllBytes(path);
            }
            try (InputStream in = NativeResources.class.getResourceAsStream(resourcePath(fileName))) {
                if (in == null) {
                    throw new IllegalStateException("native resource " + fileName + " not found: no class path resource "
                            + resourcePath(fileName) + "; was the jar built without it (for a fatbin, on a machine"
                            + " without nvcc)? -D" + DIR_PROPERTY + "=<folder> loads it from a folder instead");
                }
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading native resource " + fileName + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@link #readResource} or {@link #loadLibrary} would find the file.
     *
     * @param fileName the file's name, e.g. "convnet4j.fatbin"
     * @return true when it is there to read or load
     */
    public static boolean hasResource(String fileName) {
        String dir = System.getProperty(DIR_PROPERTY);
        return dir != null ? Files.isRegularFile(Paths.get(dir, fileName))
                : NativeResources.class.getResource(resourcePath(fileName)) != null;
    }

    /**
     * The class path resource a native file is shipped as, e.g. /org/convnet4j/native/linux-x86_64/libconvnet4j.so.
     *
     * @param fileName the file's name, e.g. "libconvnet4j.so"
     * @return its absolute class path resource name for this platform
     */
    public static String resourcePath(String fileName) {
        return "/org/convnet4j/native/" + Loader.getPlatform() + "/" + fileName;
    }

    // Our libraries are built with -fopenmp and need libgomp.so.1, which oneDNN's jar ships and JavaCPP
    // loads from its cache folder. Loading oneDNN first puts that copy in the process; the dynamic
    // loader then resolves our dependency by soname to it instead of a second, system libgomp: one
    // OpenMP runtime, one thread pool, and no failure on machines that have no libgomp installed.
    private static void loadOpenMpRuntime(String fileName) {
        try {
            OpenMp.load();
        } catch (Throwable e) {
            throw linkError(fileName, "oneDNN (org.bytedeco.dnnl), whose libgomp.so.1 it shares, failed to load: " + e, e);
        }
    }

    private static Path libraryPath(String fileName) {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir != null) {
            Path path = Paths.get(dir, fileName).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                throw linkError(fileName, "not found at " + path + " (-D" + DIR_PROPERTY + "=" + dir + ")", null);
            }
            return path;
        }
        String resource = resourcePath(fileName);
        URL url = NativeResources.class.getResource(resource);
        if (url == null) {
            throw linkError(fileName, "no class path resource " + resource + " (did the CMake step of java/pom.xml run?"
                    + " -D" + DIR_PROPERTY + "=<folder> loads it from a folder instead)", null);
        }
        if ("file".equals(url.getProtocol())) {
            try {
                return Paths.get(url.toURI());
            } catch (URISyntaxException | IllegalArgumentException e) {
                // Not a plain path after all: copy it out like a jar entry.
            }
        }
        try (InputStream in = url.openStream()) {
            Path target = extractDir().resolve(fileName);
            Files.copy(in, target);
            target.toFile().deleteOnExit();
            return target;
        } catch (IOException e) {
            throw linkError(fileName, "copying " + url + " to " + extractDir + " failed: " + e, e);
        }
    }

    // deleteOnExit runs in reverse order of registration: the files registered later go first, then the folder.
    private static Path extractDir() throws IOException {
        if (extractDir == null) {
            extractDir = Files.createTempDirectory("convnet4j-native-");
            extractDir.toFile().deleteOnExit();
        }
        return extractDir;
    }

    private static UnsatisfiedLinkError linkError(String fileName, String reason, Throwable cause) {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("native library " + fileName + ": " + reason);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
