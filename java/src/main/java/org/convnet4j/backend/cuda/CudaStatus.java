package org.convnet4j.backend.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.convnet4j.backend.CublasException;
import org.convnet4j.backend.CudaException;
import org.convnet4j.backend.CudnnException;

/**
 * The one place where CUDA runtime, driver, cuDNN and cuBLAS statuses are checked. A failure becomes
 * a typed exception carrying the library's own name and message for the status, the call, and the op
 * with its shapes ({@code op} is any object whose toString names them; null for context setup).
 */
final class CudaStatus {
    private CudaStatus() {
    }

    /** A CUDA runtime API status ({@code cudaError_t}). */
    static void runtime(int status, String call, Object op) {
        if (status != cudart.cudaSuccess) {
            throw new CudaException(call, status, string(cudart.cudaGetErrorName(status)),
                    string(cudart.cudaGetErrorString(status)), op);
        }
    }

    /** A CUDA driver API status ({@code CUresult}): module loading and kernel launches. */
    static void driver(int status, String call, Object op) {
        if (status != cudart.CUDA_SUCCESS) {
            try (PointerPointer<BytePointer> name = new PointerPointer<>(1);
                 PointerPointer<BytePointer> text = new PointerPointer<>(1)) {
                String n = cudart.cuGetErrorName(status, name) == cudart.CUDA_SUCCESS ? name.getString(0) : "CUresult";
                String m = cudart.cuGetErrorString(status, text) == cudart.CUDA_SUCCESS ? text.getString(0) : "";
                throw new CudaException(call, status, n, m, op);
            }
        }
    }

    static void cudnn(int status, String call, Object op) {
        if (status != cudnn.CUDNN_STATUS_SUCCESS) {
            String message = string(cudnn.cudnnGetErrorString(status));
            throw new CudnnException(call, status, message, lastCudnnMessage(), op);
        }
    }

    static void cublas(int status, String call, Object op) {
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            throw new CublasException(call, status, string(cublas.cublasGetStatusName(status)),
                    string(cublas.cublasGetStatusString(status)), op);
        }
    }

    /** cuDNN 9 keeps a more specific message about the last failure; empty when it has none. */
    private static String lastCudnnMessage() {
        try (BytePointer buffer = new BytePointer(1024)) {
            cudnn.cudnnGetLastErrorString(buffer, 1024);
            return buffer.getString();
        } catch (Throwable e) {
            return "";
        }
    }

    private static String string(BytePointer p) {
        return p == null || p.isNull() ? "" : p.getString();
    }
}
