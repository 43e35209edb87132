package org.convnet4j.backend;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.convnet4j.backend.cuda.CudaBackend;
import org.convnet4j.nativelib.NativeResources;

/** Finds out, without failing, whether a CUDA device and runtime are usable from this JVM. */
final class CudaProbe {
    private static Backends.Availability cached;

    private CudaProbe() {
    }

    static synchronized Backends.Availability probe() {
        if (cached == null) {
            cached = detect();
        }
        return cached;
    }

    private static Backends.Availability detect() {
        int devices;
        try {
            Loader.load(cudart.class);
            int[] count = new int[1];
            int status = cudart.cudaGetDeviceCount(count);
            if (status != cudart.cudaSuccess) {
                return new Backends.Availability("cuda", false,
                        "cudaGetDeviceCount returned " + cudart.cudaGetErrorString(status).getString());
            }
            devices = count[0];
        } catch (Throwable e) {
            // A missing libcudart.so.13 surfaces as UnsatisfiedLinkError or NoClassDefFoundError.
            return new Backends.Availability("cuda", false, "the CUDA runtime did not load (" + firstLine(e) + ")");
        }
        if (devices == 0) {
            return new Backends.Availability("cuda", false, "no CUDA device found");
        }
        if (!NativeResources.hasResource("convnet4j_kernels.fatbin")) {
            return new Backends.Availability("cuda", false, devices + " CUDA device(s) found, but this build has no "
                    + "convnet4j_kernels.fatbin (nvcc was not found when it was built)");
        }
        String device;
        try (cudaDeviceProp prop = new cudaDeviceProp()) {
            int status = cudart.cudaGetDeviceProperties(prop, 0);
            device = status == cudart.cudaSuccess
                    ? prop.name().getString() + " (sm_" + prop.major() + prop.minor() + ")" : "device 0";
        }
        long cudnnVersion;
        String library = "cuDNN (libcudnn_graph, _ops, _cnn and _adv.so.9)";
        try {
            Loader.load(cudnn.class);
            cudnnVersion = cudnn.cudnnGetVersion();
            library = "cuBLAS (libcublas.so.13 and libcublasLt.so.13)";
            Loader.load(cublas.class);
        } catch (Throwable e) {
            return new Backends.Availability("cuda", false, devices + " CUDA device(s) found, but " + library
                    + " did not load: " + missing(e));
        }
        int[] driver = new int[1];
        cudart.cudaDriverGetVersion(driver);
        return new Backends.Availability("cuda", true, device + ", driver CUDA " + driver[0] / 1000 + "."
                + driver[0] % 1000 / 10 + ", cuDNN " + cudnnVersion / 10000 + "." + cudnnVersion % 10000 / 100 + "."
                + cudnnVersion % 100 + ", TF32 " + (CudaBackend.tf32FromEnvironment() ? "on" : "off (strict FP32)"));
    }

    private static final Pattern CANNOT_OPEN = Pattern.compile("(lib[\\w+.-]+?\\.so[.\\d]*): cannot open shared object file");
    private static final Pattern UNDEFINED = Pattern.compile("undefined symbol: (\\w+)(?:, version (\\S+))?");

    /**
     * What a wrapper's loading failure says is missing, in the words a user acts on: the library file
     * the loader could not find ("libcudnn_cnn.so.9 not found: put its folder on LD_LIBRARY_PATH"), or
     * the function an installed library lacks (an older version than the wrappers were built for).
     */
    static String missing(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = String.valueOf(c.getMessage());
            Matcher open = CANNOT_OPEN.matcher(m);
            if (open.find()) {
                return open.group(1) + " not found: put its folder on LD_LIBRARY_PATH";
            }
            Matcher undefined = UNDEFINED.matcher(m);
            if (undefined.find()) {
                return (undefined.group(2) == null ? "a library" : undefined.group(2)) + " has no " + undefined.group(1)
                        + ": it is older than the CUDA 13.3 / cuDNN 9.25 the wrappers were built for";
            }
        }
        return firstLine(e);
    }

    /**
     * The most telling line of a loading failure: JavaCPP's outer error only says that a wrapper was
     * not found on java.library.path, while its cause names the native library that is missing
     * ("libcuda.so.1: cannot open shared object file").
     */
    private static String firstLine(Throwable e) {
        Throwable best = e;
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains("cannot open shared object")) {
                best = c;
                break;
            }
        }
        String m = best.getClass().getSimpleName() + ": " + best.getMessage();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        int so = m.indexOf(": lib");
        // "/root/.javacpp/cache/.../libjnicudart.so: libcuda.so.1: cannot open ..." -> from the missing library on
        return so > 0 && m.contains("cannot open shared object") ? m.substring(so + 2) : m;
    }
}
