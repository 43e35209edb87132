package org.convnet4j.data;

/**
 * A data set is not where it was looked for. The message says where the library looked and what it
 * expects to be given instead; a caller that took the location from its user adds how to give another
 * (a command line's option), which the library cannot know.
 */
public class DataNotFoundException extends DataException {
    public DataNotFoundException(String message) {
        super(message);
    }

    public DataNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
