package org.convnet4j.backend;

import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;

/**
 * The CUDA versions a JVM sees, for {@link BackendInfo}: the runtime and driver found on the machine
 * against the ones the JNI wrappers were compiled for, each device, cuBLAS and cuDNN. Kept apart from
 * BackendInfo so that its CUDA classes are touched only once the runtime has loaded.
 */
final class CudaVersions {
    private CudaVersions() {
    }

    static void print(boolean cublasLoaded, boolean cudnnLoaded) {
        int[] v = new int[1];
        System.out.println("cuda runtime " + version(cudart.cudaRuntimeGetVersion(v), v[0])
                + " (wrappers compiled for " + version(cudart.cudaSuccess, cudart.CUDART_VERSION) + ")");
        System.out.println("cuda driver supports " + version(cudart.cudaDriverGetVersion(v), v[0]));
        int status = cudart.cudaGetDeviceCount(v);
        if (status != cudart.cudaSuccess) {
            System.out.println("cudaGetDeviceCount: " + cudart.cudaGetErrorString(status).getString());
        } else {
            for (int d = 0; d < v[0]; d++) {
                try (cudaDeviceProp p = new cudaDeviceProp()) {
                    int s = cudart.cudaGetDeviceProperties(p, d);
                    System.out.println(s != cudart.cudaSuccess ? "device " + d + ": " + cudart.cudaGetErrorString(s).getString()
                            : "device " + d + ": " + p.name().getString() + ", compute capability " + p.major() + "." + p.minor()
                              + ", " + p.multiProcessorCount() + " SMs, " + (p.totalGlobalMem() >> 20) + " MiB");
                }
            }
        }
        if (cublasLoaded) {
            int[] major = new int[1], minor = new int[1], patch = new int[1];
            cublas.cublasGetProperty(cudart.MAJOR_VERSION, major);
            cublas.cublasGetProperty(cudart.MINOR_VERSION, minor);
            cublas.cublasGetProperty(cudart.PATCH_LEVEL, patch);
            System.out.println("cublas " + major[0] + "." + minor[0] + "." + patch[0]);
        }
        if (cudnnLoaded) {
            System.out.println("cudnn " + cudnn.cudnnGetVersion() + " (built with cuda runtime " + cudnn.cudnnGetCudartVersion() + ")");
        }
    }

    /** 13030 as 13.3, or the error a version query returned. */
    private static String version(int status, int v) {
        if (status != cudart.cudaSuccess) {
            return "unknown (" + cudart.cudaGetErrorString(status).getString() + ")";
        }
        return (v / 1000) + "." + (v % 1000 / 10);
    }
}
