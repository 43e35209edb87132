package org.convnet4j.data;

/**
 * A data file declares (or turns out to hold) more than a {@link DataLimits} limit allows, and was refused
 * before it was inflated or decoded. The message names the file (and zip entry), what it declares, the
 * limit and the system property that sets it.
 */
public class DataLimitException extends DataException {
    /**
     * A data file over a limit.
     *
     * @param message names the file, the entry and the limit
     */
    public DataLimitException(String message) {
        super(message);
    }
}
