package org.convnet4j.cli;

/** A malformed command line: exit status 2 with the reason and a pointer to the usage. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
