package org.convnet4j.data;

/**
 * A data set is not where it was looked for. The message says where the library looked and what it
 * expects to be given instead; a caller that took the location from its user adds how to give another
 * (a command line's option), which the library cannot know.
 */
public class DataNotFoundException extends DataException {
    /**
     * A data file or folder that is not there.
     *
     * @param message names the file and what is wrong
     */
    public DataNotFoundException(String message) {
        super(message);
    }

    /**
     * A data file or folder that is not there, and the failure that revealed it.
     *
     * @param message names the file and what is wrong
     * @param cause the underlying failure
     */
    public DataNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
