package org.convnet4j.backend.cuda;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.convnet4j.memory.Block;

/**
 * What every CUDA op shares: the device, the one stream all work is queued on, the cuDNN and cuBLAS
 * handles bound to it, the math mode, the host-side 1 and 0 that cuDNN's alpha/beta point to, and one
 * growing workspace for convolution algorithms.
 *
 * <p>TF32 tensor-core math is on by default for FP32 convolutions and GEMMs, as in PyTorch's
 * convolutions and cuDNN's own default; {@code -Dconvnet4j.cuda.tf32=false} (or environment
 * {@code CONVNET4J_CUDA_TF32=0}) asks for strict FP32 (cuDNN FMA math, cuBLAS pedantic math), which
 * the test suite uses so that results meet FP32 tolerances.
 */
final class CudaContext implements AutoCloseable {
    private final int device;
    private final String deviceName;
    private final int multiprocessors;
    private final boolean tf32;
    private final CUstream_st stream = new CUstream_st();
    private final cudnnContext cudnnHandle = new cudnnContext();
    private final cublasContext cublasHandle = new cublasContext();
    private final FloatPointer one = new FloatPointer(1f);
    private final FloatPointer zero = new FloatPointer(0f);
    private final DevicePool pool;
    private Block workspace;
    private Thread current;

    CudaContext(int device, boolean tf32) {
        this.device = device;
        this.tf32 = tf32;
        CudaStatus.runtime(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")", null);
        CudaStatus.runtime(cudart.cudaFree(new Pointer()), "cudaFree(0) (context creation)", null);
        current = Thread.currentThread();
        try (cudaDeviceProp prop = new cudaDeviceProp()) {
            CudaStatus.runtime(cudart.cudaGetDeviceProperties(prop, device), "cudaGetDeviceProperties", null);
            deviceName = prop.name().getString() + " (sm_" + prop.major() + prop.minor() + ", "
                    + (prop.totalGlobalMem() >> 30) + " GiB)";
            multiprocessors = prop.multiProcessorCount();
        }
        CudaStatus.runtime(cudart.cudaStreamCreateWithFlags(stream, cudart.cudaStreamNonBlocking), "cudaStreamCreateWithFlags", null);
        CudaStatus.cudnn(cudnn.cudnnCreate(cudnnHandle), "cudnnCreate", null);
        CudaStatus.cudnn(cudnn.cudnnSetStream(cudnnHandle, stream), "cudnnSetStream", null);
        CudaStatus.cublas(cublas.cublasCreate_v2(cublasHandle), "cublasCreate", null);
        CudaStatus.cublas(cublas.cublasSetStream_v2(cublasHandle, stream), "cublasSetStream", null);
        CudaStatus.cublas(cublas.cublasSetMathMode(cublasHandle,
                tf32 ? cublas.CUBLAS_TF32_TENSOR_OP_MATH : cublas.CUBLAS_PEDANTIC_MATH), "cublasSetMathMode", null);
        pool = new DevicePool();
    }

    /** TF32 allowed unless {@code convnet4j.cuda.tf32} is "false" or CONVNET4J_CUDA_TF32 is "0". */
    static boolean tf32FromEnvironment() {
        String p = System.getProperty("convnet4j.cuda.tf32");
        if (p != null) {
            return !p.equalsIgnoreCase("false") && !p.equals("0");
        }
        String e = System.getenv("CONVNET4J_CUDA_TF32");
        return e == null || !(e.equals("0") || e.equalsIgnoreCase("false"));
    }

    /**
     * Driver API launches need the device's context current on the calling thread; the runtime makes
     * the primary context current on cudaSetDevice. Checked per call, changed only when the thread did.
     */
    void makeCurrent() {
        Thread t = Thread.currentThread();
        if (t != current) {
            CudaStatus.runtime(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")", null);
            current = t;
        }
    }

    CUstream_st stream() {
        return stream;
    }

    cudnnContext cudnn() {
        makeCurrent();
        return cudnnHandle;
    }

    cublasContext cublas() {
        makeCurrent();
        return cublasHandle;
    }

    DevicePool pool() {
        return pool;
    }

    boolean tf32() {
        return tf32;
    }

    int multiprocessors() {
        return multiprocessors;
    }

    String deviceName() {
        return deviceName;
    }

    FloatPointer one() {
        return one;
    }

    FloatPointer zero() {
        return zero;
    }

    /**
     * A workspace of at least {@code bytes}, shared by all ops (they run one after another on the
     * stream). Grows to the largest request and then stays, so steady steps allocate nothing.
     */
    DevicePointer workspace(long bytes) {
        if (bytes == 0) {
            return new DevicePointer(0);
        }
        if (workspace == null || workspace.bytes() < bytes) {
            if (workspace != null) {
                workspace.close();
            }
            workspace = pool.allocate(bytes);
        }
        return new DevicePointer(workspace.address());
    }

    void synchronize(String what) {
        makeCurrent();
        CudaStatus.runtime(cudart.cudaStreamSynchronize(stream), "cudaStreamSynchronize (" + what + ")", null);
    }

    @Override
    public void close() {
        makeCurrent();
        cudart.cudaStreamSynchronize(stream);
        if (workspace != null) {
            workspace.close();
            workspace = null;
        }
        pool.close();
        cublas.cublasDestroy_v2(cublasHandle);
        cudnn.cudnnDestroy(cudnnHandle);
        cudart.cudaStreamDestroy(stream);
        one.close();
        zero.close();
    }
}
