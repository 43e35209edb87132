package org.convnet4j.backend;

/**
 * A native library returned a failure status. Carries the library, the call, the raw status and its
 * name, the library's own message when it gives one, and the op with its shapes.
 */
public class NativeException extends RuntimeException {
    /** The library that failed, as {@link #library()} returns it. */
    private final String library;
    /** The function that failed, as {@link #call()} returns it. */
    private final String call;
    /** The raw status, as {@link #status()} returns it. */
    private final int status;

    /**
     * A failure status; the message reads {@code "<library> <call> failed with <statusName> (<status>):
     * <message> in <op>"}, the last two parts only when given.
     *
     * @param library the library's name, such as "cuDNN"
     * @param call the function that failed
     * @param status its raw status code
     * @param statusName the status code's name
     * @param message the library's own error text, or null or empty when it gives none
     * @param op the op being computed (its {@code toString} names the shapes), or null
     */
    public NativeException(String library, String call, int status, String statusName, String message, Object op) {
        super(library + " " + call + " failed with " + statusName + " (" + status + ")"
                + (message == null || message.isEmpty() ? "" : ": " + message)
                + (op == null ? "" : " in " + op));
        this.library = library;
        this.call = call;
        this.status = status;
    }

    /**
     * The library that failed.
     *
     * @return its name, such as "oneDNN", "CUDA", "cuBLAS" or "cuDNN"
     */
    public String library() {
        return library;
    }

    /**
     * The native function that returned the failure.
     *
     * @return its name
     */
    public String call() {
        return call;
    }

    /**
     * The raw status the call returned.
     *
     * @return the library's status code
     */
    public int status() {
        return status;
    }
}
