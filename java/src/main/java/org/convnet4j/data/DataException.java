package org.convnet4j.data;

/**
 * A data set could not be loaded or a batch could not be assembled: a file is missing, truncated or
 * corrupt, or an image does not decode. The message names the file (and zip entry), says what was
 * expected and what was found, and for missing data says where it looked and how to get it.
 */
public class DataException extends RuntimeException {
    /**
     * A data file that cannot be used.
     *
     * @param message names the file and what is wrong
     */
    public DataException(String message) {
        super(message);
    }

    /**
     * A data file that cannot be used, and the failure that revealed it.
     *
     * @param message names the file and what is wrong
     * @param cause the underlying failure
     */
    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
