package org.convnet4j.backend.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.convnet4j.nativelib.NativeResources;

/**
 * The test side of the CUDA stub (native/test/cuda_stub): libraries named like NVIDIA's that the
 * JavaCPP wrappers load in place of a GPU's when their folder is on LD_LIBRARY_PATH. The build's
 * {@code cuda-stub} Surefire run sets that up and names the folder in {@value #PROPERTY}; elsewhere
 * (a plain test run, the GPU machine) the stub tests skip, saying why.
 *
 * <p>The stub records every call, one line each, e.g. {@code cuLaunchKernel c4j_fill_f32
 * grid=1,1,1 block=256,1,1 stream=s1 args=P:0x7f..,L:10,F:2.5 status=0}; {@link #calls} drains them.
 */
final class StubDriver {
    static final String PROPERTY = "convnet4j.test.cudaStub";
    private static final Pattern LAUNCH = Pattern.compile(
            "cuLaunchKernel (\\w+) grid=(\\S+) block=(\\S+) stream=(\\S+) args=(\\S*) status=(-?\\d+)");
    private static String unavailable = "not loaded yet";
    private static boolean tried;

    private StubDriver() {
    }

    /** Loads the stub and hands it the kernels' declarations from the .cu sources; null when ready, else why not. */
    static synchronized String load() {
        if (tried) {
            return unavailable;
        }
        tried = true;
        String dir = System.getProperty(PROPERTY);
        if (dir == null) {
            return unavailable = "-D" + PROPERTY + " is not set: the stub tests run in the build's cuda-stub "
                    + "Surefire execution (mvn test), which puts the stub libraries on LD_LIBRARY_PATH";
        }
        Path core = Path.of(dir, "libc4jstub.so");
        if (!Files.isRegularFile(core)) {
            return unavailable = core + " does not exist (CMake builds it with native/)";
        }
        String ld = System.getenv().getOrDefault("LD_LIBRARY_PATH", "");
        if (!Arrays.asList(ld.split(":")).contains(dir)) {
            return unavailable = "LD_LIBRARY_PATH (" + ld + ") does not contain " + dir;
        }
        if (!dir.equals(System.getProperty("org.bytedeco.javacpp.platform.linkpath"))
                || System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
            return unavailable = "JavaCPP must look in " + dir + " first (-Dorg.bytedeco.javacpp.platform.linkpath) "
                    + "and use a cache of its own (-Dorg.bytedeco.javacpp.cachedir), or it loads a real CUDA runtime "
                    + "and links the stub into the user's cache";
        }
        if (!NativeResources.hasResource(Kernels.FATBIN)) {
            return unavailable = "this build has no " + Kernels.FATBIN + " (nvcc was not found when it was built)";
        }
        System.load(core.toAbsolutePath().toString());
        for (Map.Entry<String, String> k : CudaSources.declaredKernels().entrySet()) {
            declareKernel(k.getKey(), k.getValue());
        }
        return unavailable = null;
    }

    /** The calls recorded since the last drain or reset, one line each. */
    static List<String> calls() {
        String text = drain();
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    /** One recorded kernel launch; {@code args} is e.g. "P:0x7f00,L:10,F:2.5" ("!" marks a pointer outside device memory). */
    record Launch(String kernel, String grid, String block, String stream, String args, int status) {
        List<String> arguments() {
            return args.isEmpty() ? List.of() : List.of(args.split(","));
        }
    }

    static List<Launch> launches(List<String> calls) {
        List<Launch> out = new ArrayList<>();
        for (String c : calls) {
            Matcher m = LAUNCH.matcher(c);
            if (m.matches()) {
                out.add(new Launch(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), Integer.parseInt(m.group(6))));
            }
        }
        return out;
    }

    /** The recorded calls and the log so far as one text, for assertion messages. */
    static String text(List<String> calls) {
        return String.join("\n", calls);
    }

    // ---- native/test/cuda_stub/core.c

    static native String drain();

    /** Clears the log, the failure rules, the memory budget (1 GiB), the device count (1) and the offered algorithms. */
    static native void reset();

    static native void declareKernel(String name, String kinds);

    /**
     * From now on {@code function} returns {@code status} instead of success, {@code times} times (-1:
     * always); {@code key} narrows it to one convolution algorithm (-1: any call).
     */
    static native void failWhen(String function, long key, int status, int times);

    /** cudaMalloc fails once the live device allocations would exceed this. */
    static native void memoryBudget(long bytes);

    static native void deviceCount(int n);

    /** What cuDNN's heuristics offer for a pass (0 forward, 1 backward-data, 2 backward-filter), in order. */
    static native void convAlgorithms(int pass, int[] algos, int[] statuses, long[] memory, int[] maths);

    /** Live handles and memory, e.g. "stream=1 event=0 module=1 ... deviceBytes=4096 pinned=0". */
    static native String live();

    /** The struct layouts the stub assumes (cudnn*AlgoPerf_t, cudaDeviceProp). */
    static native String layout();
}
