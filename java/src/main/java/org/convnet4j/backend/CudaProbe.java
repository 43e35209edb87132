package org.convnet4j.backend;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.cuda.global.cudart;

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
        return new Backends.Availability("cuda", false,
                devices + " CUDA device(s) found, but the CUDA backend is not part of this build yet");
    }

    private static String firstLine(Throwable e) {
        String m = e.getClass().getSimpleName() + ": " + e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
