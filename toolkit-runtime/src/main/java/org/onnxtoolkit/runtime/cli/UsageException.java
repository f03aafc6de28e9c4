package org.onnxtoolkit.runtime.cli;

/** A mistake in what the user asked for (an unknown id, a bad option value): one line, exit code 2. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
