package org.convnet4j.backend;

/**
 * A native library returned a failure status. Carries the library, the call, the raw status and its
 * name, the library's own message when it gives one, and the op with its shapes.
 */
public class NativeException extends RuntimeException {
    private final String library;
    private final String call;
    private final int status;

    public NativeException(String library, String call, int status, String statusName, String message, Object op) {
        super(library + " " + call + " failed with " + statusName + " (" + status + ")"
                + (message == null || message.isEmpty() ? "" : ": " + message)
                + (op == null ? "" : " in " + op));
        this.library = library;
        this.call = call;
        this.status = status;
    }

    public String library() {
        return library;
    }

    public String call() {
        return call;
    }

    public int status() {
        return status;
    }
}
