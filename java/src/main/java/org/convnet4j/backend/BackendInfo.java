package org.convnet4j.backend;

import java.util.List;

import org.bytedeco.javacpp.Loader;

/**
 * Prints which backend {@code auto} picks and why, whether each CUDA library's JNI wrapper loads, and
 * optionally opens the backends named on the command line. Meant for a fresh machine, with
 * {@code -Dorg.bytedeco.javacpp.logger.debug=true} so that a library that fails to load says where it
 * was looked for:
 *
 * <pre>java -cp 'lib/*' org.convnet4j.backend.BackendInfo [cpu|cuda ...]
 * java -cp 'lib/*' org.convnet4j.backend.BackendInfo --smoke cpu|cuda</pre>
 *
 * Exit status 0 when every backend named opened (or none was named), 1 otherwise. With
 * {@code --smoke}, the backend also runs {@link Smoke}: one line per op, OK or BAD, then
 * {@code smoke: N ok, M bad}; exit status 0 only when every op is OK, 2 on a usage error. The CUDA
 * backend runs it in strict FP32 (TF32 off) unless {@code -Dconvnet4j.cuda.tf32} says otherwise, so
 * that FP32 tolerances apply.
 */
public final class BackendInfo {
    /** The JNI wrappers of the CUDA libraries a GPU backend needs, in load order. */
    private static final List<String> CUDA_WRAPPERS = List.of(
            "org.bytedeco.cuda.global.cudart", "org.bytedeco.cuda.global.cublas", "org.bytedeco.cuda.global.cudnn");

    private BackendInfo() {
    }

    /**
     * Prints the report and exits with the status described above (never returns).
     *
     * @param args backend names to open, or {@code --smoke} and one backend name
     */
    public static void main(String[] args) {
        boolean smoke = args.length > 0 && args[0].equals("--smoke");
        if (smoke && args.length != 2) {
            System.err.println("usage: BackendInfo --smoke cpu|cuda");
            System.exit(2);
        }
        if (smoke && System.getProperty("convnet4j.cuda.tf32") == null) {
            System.setProperty("convnet4j.cuda.tf32", "false");
        }
        System.out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
                + ") at " + System.getProperty("java.home"));
        System.out.println("os " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, max heap "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        System.out.println("javacpp platform " + Loader.getPlatform() + ", cache " + cacheDir());
        System.out.println("LD_LIBRARY_PATH=" + System.getenv().getOrDefault("LD_LIBRARY_PATH", ""));
        // First, so that the probe meets a loading failure first hand and its reason names the cause
        // (a second attempt only sees "Could not initialize class").
        System.out.println("auto: " + Backends.explain("auto"));
        boolean[] loaded = new boolean[CUDA_WRAPPERS.size()];
        for (int i = 0; i < loaded.length; i++) {
            String result = tryLoad(CUDA_WRAPPERS.get(i));
            loaded[i] = result.startsWith("ok");
            System.out.println("load " + CUDA_WRAPPERS.get(i) + ": " + result);
        }
        if (loaded[0]) {
            CudaVersions.print(loaded[1], loaded[2]);
        }
        if (smoke) {
            System.exit(smoke(args[1]) ? 0 : 1);
        }
        boolean ok = true;
        for (String name : args) {
            System.out.println("probe " + name + ": " + Backends.explain(name));
            try (Backend b = Backends.create(name)) {
                System.out.println("open " + name + ": ok (" + b.getClass().getName() + ")");
                System.out.println("precisions " + name + ": " + precisions(b) + ", activations "
                        + b.activationLayout(org.convnet4j.graph.Precision.FP32));
            } catch (Throwable e) {
                ok = false;
                System.out.println("open " + name + ": FAILED " + e);
                e.printStackTrace(System.out);
            }
        }
        System.exit(ok ? 0 : 1);
    }

    /** "fp32, bf16" or "fp32 (bf16: why not)": what --precision takes on this backend here. */
    private static String precisions(Backend b) {
        StringBuilder s = new StringBuilder("fp32");
        for (org.convnet4j.graph.Precision p : org.convnet4j.graph.Precision.values()) {
            if (p == org.convnet4j.graph.Precision.FP32) {
                continue;
            }
            try {
                b.checkPrecision(p);
                s.append(", ").append(p.option());
            } catch (UnsupportedOperationException e) {
                s.append(" (").append(p.option()).append(": ").append(e.getMessage()).append(')');
            }
        }
        if (b instanceof org.convnet4j.backend.cpu.CpuBackend) {
            s.append("; oneDNN ISA ").append(org.convnet4j.backend.cpu.CpuBackend.isaName());
        }
        return s.toString();
    }

    /** Opens the backend and runs {@link Smoke} on it; whether every op was OK. */
    private static boolean smoke(String name) {
        System.out.println("probe " + name + ": " + Backends.explain(name));
        try (Backend b = Backends.create(name)) {
            System.out.println("open " + name + ": ok (" + b.getClass().getName() + ")");
            int[] counts = new int[2]; // ok, bad
            Smoke.run(b, r -> {
                System.out.println(r);
                System.out.flush();
                counts[r.ok() ? 0 : 1]++;
            });
            System.out.println("smoke: " + counts[0] + " ok, " + counts[1] + " bad");
            return counts[1] == 0;
        } catch (Throwable e) {
            System.out.println("open " + name + ": FAILED " + e);
            e.printStackTrace(System.out);
            System.out.println("smoke: 0 ok, 1 bad");
            return false;
        }
    }

    private static String cacheDir() {
        try {
            return Loader.getCacheDir().toString();
        } catch (java.io.IOException e) {
            return "unusable (" + e.getMessage() + ")";
        }
    }

    private static String tryLoad(String className) {
        try {
            String path = Loader.load(Class.forName(className));
            return "ok" + (path == null ? "" : " (" + path + ")");
        } catch (Throwable e) {
            String m = e.toString();
            int nl = m.indexOf('\n');
            return "FAILED " + (nl < 0 ? m : m.substring(0, nl));
        }
    }
}
