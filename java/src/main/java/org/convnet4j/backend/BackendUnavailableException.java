package org.convnet4j.backend;

/** A backend was asked for but cannot run here; the message says why (no GPU, a library that did not load, ...). */
public class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
