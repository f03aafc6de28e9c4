package org.onnxtoolkit.api.spi;

/**
 * A dataset cannot be opened or read: a missing or corrupt file, a wrong shape, an unsupported option. The
 * message is one line saying what is wrong (naming the file) and what to do.
 *
 * <p>{@link #cause()} tells the runtime whose fault it is, and so the exit code: {@link Cause#USAGE} (exit
 * 2) for what the user typed (an option, a path that does not exist, a shape the dataset cannot give),
 * {@link Cause#DATA} (exit 1) for what is inside the files (a corrupt or truncated file, a header that
 * disagrees with the file's size, an image that cannot be decoded).
 */
public class DatasetException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Whose fault the failure is. */
    public enum Cause {
        /** The request: options, paths, shapes. */
        USAGE,
        /** The content of the dataset's files. */
        DATA
    }

    private final Cause cause;

    /** A failure caused by the request ({@link Cause#USAGE}). */
    public DatasetException(String message) {
        this(Cause.USAGE, message, null);
    }

    /** A failure caused by the request ({@link Cause#USAGE}). */
    public DatasetException(String message, Throwable cause) {
        this(Cause.USAGE, message, cause);
    }

    public DatasetException(Cause cause, String message, Throwable throwable) {
        super(message, throwable);
        this.cause = java.util.Objects.requireNonNull(cause, "cause");
    }

    /** A failure caused by the content of the dataset's files ({@link Cause#DATA}). */
    public static DatasetException badData(String message, Throwable cause) {
        return new DatasetException(Cause.DATA, message, cause);
    }

    /** A failure caused by the content of the dataset's files ({@link Cause#DATA}). */
    public static DatasetException badData(String message) {
        return new DatasetException(Cause.DATA, message, null);
    }

    /** @return whose fault the failure is */
    public Cause cause() {
        return cause;
    }
}
