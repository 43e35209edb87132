package org.convnet4j.backend;

/** A oneDNN call failed. */
public class DnnlException extends NativeException {
    public DnnlException(String call, int status, String statusName, String message, Object op) {
        super("oneDNN", call, status, statusName, message, op);
    }
}
