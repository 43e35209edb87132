package org.convnet4j.backend;

/** A backend was asked for but cannot run here; the message says why (no GPU, a library that did not load, ...). */
public class BackendUnavailableException extends RuntimeException {
    /**
     * An unavailable backend.
     *
     * @param message which backend and why it cannot run
     */
    public BackendUnavailableException(String message) {
        super(message);
    }

    /**
     * An unavailable backend, with the failure that showed it.
     *
     * @param message which backend and why it cannot run
     * @param cause the underlying failure, such as a library that did not load
     */
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
