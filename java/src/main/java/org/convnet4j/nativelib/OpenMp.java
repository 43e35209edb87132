package org.convnet4j.nativelib;

import java.util.Map;

import org.bytedeco.javacpp.Loader;

/**
 * The OpenMP runtime that oneDNN and our CPU loops share (the libgomp oneDNN's jar ships): how many
 * threads a CPU backend uses, and what a thread does between parallel regions. libgomp reads both
 * from the environment once, when it is loaded, so they are settled here, just before oneDNN loads,
 * and cannot change afterwards in this JVM.
 *
 * <p><b>Threads</b>: {@code -Dconvnet4j.threads=N}, else {@code CONVNET4J_THREADS}, else
 * {@code OMP_NUM_THREADS} as the user set it, else the processors this JVM may use
 * ({@link Runtime#availableProcessors}, which honours CPU affinity and container quotas, where
 * libgomp would count every processor the affinity mask allows) less those other processes keep
 * busy, measured over a quarter of a second when the runtime starts ({@link CpuLoad}), and at least
 * one. {@link #threads(int)} sets it from code, before the first CPU backend.
 *
 * <p><b>Waiting</b>: {@code -Dconvnet4j.omp.wait=runtime|passive|active|SPINS}, else
 * {@code OMP_WAIT_POLICY} or {@code GOMP_SPINCOUNT} as the user set them, else {@value #DEFAULT_WAIT}:
 * libgomp's own policy. On the shared 2-core machine it was the best of those measured: passive
 * sleeps at every barrier (no faster under contention there, and 2.3x slower LeNet-5 batch-1
 * latency when idle), and some explicit spin counts collapse under contention (docs/BENCHMARKS.md,
 * "Shared cores").
 */
public final class OpenMp {
    /** System property naming the CPU backend's thread count ({@code -Dconvnet4j.threads=N}). */
    public static final String THREADS_PROPERTY = "convnet4j.threads";
    /** System property naming what idle OpenMP threads do: runtime, passive, active or a spin count. */
    public static final String WAIT_PROPERTY = "convnet4j.omp.wait";
    /**
     * What idle OpenMP threads do unless told otherwise: "runtime" leaves libgomp's own policy (spin
     * a while, then sleep), which measured best on a shared 2-core machine (docs/BENCHMARKS.md).
     */
    public static final String DEFAULT_WAIT = "runtime";

    /**
     * What the runtime was started with, and where each setting came from.
     *
     * @param threads the OpenMP thread count
     * @param threadsFrom where the count came from: the setting's name (such as OMP_NUM_THREADS), the
     *        processors available and how many other processes keep busy, or why it is unknown
     * @param waitPolicy what idle threads do: runtime, passive, active or a spin count
     * @param waitFrom where the policy came from: OMP_WAIT_POLICY, GOMP_SPINCOUNT, the system property or "default"
     */
    public record Settings(int threads, String threadsFrom, String waitPolicy, String waitFrom) {
        @Override
        public String toString() {
            return threads + " thread" + (threads == 1 ? "" : "s") + " (" + threadsFrom + "), wait " + waitPolicy + " ("
                    + waitFrom + ")";
        }
    }

    private static Settings settings;
    private static Settings planned;

    private OpenMp() {
    }

    /**
     * Sets the CPU backend's thread count; only before the first CPU backend (or oneDNN) loads.
     *
     * @param n the number of OpenMP threads, at least 1
     * @throws IllegalStateException when the runtime already started with another count
     */
    public static synchronized void threads(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("threads: expected a positive number. Received " + n);
        }
        if (settings != null && settings.threads() == n) {
            return;
        }
        if (settings != null) {
            throw new IllegalStateException("threads: the OpenMP runtime already started with " + settings
                    + "; set the thread count before the first CPU backend");
        }
        System.setProperty(THREADS_PROPERTY, Integer.toString(n));
        planned = null;
    }

    /**
     * The settings the runtime started with, or, before it starts, the ones it will start with: decided
     * (and the machine's load measured) on the first call, then kept.
     *
     * @return the settings, with where each came from
     */
    public static synchronized Settings settings() {
        if (settings != null) {
            return settings;
        }
        if (planned == null) {
            planned = decide(System.getenv(), System.getProperty(THREADS_PROPERTY), System.getProperty(WAIT_PROPERTY),
                    Runtime.getRuntime().availableProcessors(), CpuLoad::othersBusy);
        }
        return planned;
    }

    /** Settles the environment and loads oneDNN and its OpenMP runtime, once per JVM. */
    public static synchronized void load() {
        if (settings != null) {
            return;
        }
        Settings s = settings();
        for (String lib : Loader.getLoadedLibraries().keySet()) {
            if (lib.contains("gomp") || lib.contains("dnnl")) {
                // Someone loaded oneDNN before us: the runtime has read its environment already.
                settings = new Settings(s.threads(), "unknown: oneDNN was loaded before convnet4j", s.waitPolicy(),
                        "unknown: oneDNN was loaded before convnet4j");
                return;
            }
        }
        NativeResources.loadAlone("libconvnet4j_env.so");
        setenvChecked("OMP_NUM_THREADS", Integer.toString(s.threads()));
        if (!s.waitFrom().equals("OMP_WAIT_POLICY") && !s.waitFrom().equals("GOMP_SPINCOUNT")
                && !s.waitPolicy().equals("runtime")) {
            if (s.waitPolicy().equals("passive") || s.waitPolicy().equals("active")) {
                setenvChecked("OMP_WAIT_POLICY", s.waitPolicy().toUpperCase(java.util.Locale.ROOT));
            } else {
                setenvChecked("GOMP_SPINCOUNT", s.waitPolicy());
            }
        }
        Loader.load(org.bytedeco.dnnl.global.dnnl.class);
        settings = s;
    }

    /**
     * The settings for an environment, the two properties (null when unset), the usable processors,
     * and a measure of how many of them other processes keep busy (asked only when nothing sets the
     * thread count).
     */
    static Settings decide(Map<String, String> env, String threadsProperty, String waitProperty, int processors,
                           java.util.function.DoubleSupplier othersBusy) {
        int threads;
        String threadsFrom;
        if (threadsProperty != null) {
            threads = positive(threadsProperty, "-D" + THREADS_PROPERTY);
            threadsFrom = "-D" + THREADS_PROPERTY;
        } else if (env.get("CONVNET4J_THREADS") != null) {
            threads = positive(env.get("CONVNET4J_THREADS"), "CONVNET4J_THREADS");
            threadsFrom = "CONVNET4J_THREADS";
        } else if (env.get("OMP_NUM_THREADS") != null && env.get("OMP_NUM_THREADS").matches("\\d+")) {
            threads = positive(env.get("OMP_NUM_THREADS"), "OMP_NUM_THREADS");
            threadsFrom = "OMP_NUM_THREADS";
        } else {
            // A team larger than the idle cores waits at every barrier for a thread the scheduler has
            // parked: on 2 cores with one taken, 2 threads ran an epoch 2.3x slower than 1 did.
            double busy = othersBusy.getAsDouble();
            int taken = (int) Math.min(processors - 1, Math.round(busy));
            threads = processors - Math.max(0, taken);
            threadsFrom = taken > 0 ? processors + " processors, " + taken + " kept busy by other processes"
                    : "processors available";
        }
        String wait;
        String waitFrom;
        if (waitProperty != null) {
            wait = waitPolicy(waitProperty);
            waitFrom = "-D" + WAIT_PROPERTY;
        } else if (env.get("OMP_WAIT_POLICY") != null) {
            wait = env.get("OMP_WAIT_POLICY").toLowerCase(java.util.Locale.ROOT);
            waitFrom = "OMP_WAIT_POLICY";
        } else if (env.get("GOMP_SPINCOUNT") != null) {
            wait = env.get("GOMP_SPINCOUNT");
            waitFrom = "GOMP_SPINCOUNT";
        } else {
            wait = DEFAULT_WAIT;
            waitFrom = "default";
        }
        return new Settings(threads, threadsFrom, wait, waitFrom);
    }

    private static String waitPolicy(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("passive") || v.equals("active") || v.equals("runtime") || v.matches("\\d{1,12}")) {
            return v;
        }
        throw new IllegalArgumentException("-D" + WAIT_PROPERTY + ": expected runtime, passive, active or a spin count. Received "
                + value);
    }

    private static int positive(String value, String what) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(what + ": expected a positive number of threads. Received " + value);
    }

    private static void setenvChecked(String name, String value) {
        if (setenv(name, value) != 0) {
            throw new IllegalStateException("setenv(" + name + ", " + value + ") failed");
        }
    }

    /**
     * Limits the OpenMP threads of the parallel regions the calling thread starts (oneDNN primitives
     * this thread creates and runs afterwards partition their work for that many), leaving every other
     * thread as it is. For a thread that owns a backend of its own ({@code PredictorPool}'s workers).
     *
     * @param n the threads, at least 1
     */
    public static void limitCallingThread(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("limitCallingThread: expected a positive number of threads. Received " + n);
        }
        NativeResources.loadLibrary("libconvnet4j.so");
        limitCallingThread0(n);
    }

    /**
     * The OpenMP threads a parallel region started by the calling thread may use.
     *
     * @return the limit {@link #limitCallingThread} set, else the runtime's thread count
     */
    public static int callingThreadLimit() {
        NativeResources.loadLibrary("libconvnet4j.so");
        return callingThreadLimit0();
    }

    private static native void limitCallingThread0(int n);

    private static native int callingThreadLimit0();

    static native int setenv(String name, String value);

    /** The process environment as it is now (System.getenv is a copy made at JVM start). */
    static native String getenv(String name);
}
