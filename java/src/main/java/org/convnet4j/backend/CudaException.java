package org.convnet4j.backend;

/** A CUDA runtime or driver call failed. */
public class CudaException extends NativeException {
    /**
     * A failed CUDA call; the message names the library, the call, the status and the op.
     *
     * @param call the CUDA function that failed
     * @param status its raw status code
     * @param statusName the status code's name
     * @param message the library's own error text, or null or empty when it gives none
     * @param op the op being computed (its {@code toString} names the shapes), or null
     */
    public CudaException(String call, int status, String statusName, String message, Object op) {
        super("CUDA", call, status, statusName, message, op);
    }
}
