package org.convnet4j.backend;

/** A cuBLAS call failed. */
public class CublasException extends NativeException {
    public CublasException(String call, int status, String statusName, String message, Object op) {
        super("cuBLAS", call, status, statusName, message, op);
    }
}
