package org.convnet4j.backend;

/** A CUDA runtime or driver call failed. */
public class CudaException extends NativeException {
    public CudaException(String call, int status, String statusName, String message, Object op) {
        super("CUDA", call, status, statusName, message, op);
    }
}
