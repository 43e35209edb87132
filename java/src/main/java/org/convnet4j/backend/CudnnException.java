package org.convnet4j.backend;

/** A cuDNN call failed. */
public class CudnnException extends NativeException {
    public CudnnException(String call, int status, String statusName, String message, Object op) {
        super("cuDNN", call, status, statusName, message, op);
    }
}
