package org.onnxtoolkit.api.spi;

/**
 * A dataset cannot be opened or read: a missing or corrupt file, a wrong shape, an unsupported option. The
 * message is one line saying what is wrong (naming the file) and what to do.
 */
public class DatasetException extends Exception {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
