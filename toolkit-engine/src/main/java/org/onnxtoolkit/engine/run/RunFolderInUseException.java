package org.onnxtoolkit.engine.run;

/** Another process (or another command in this JVM) trains into the run folder, or its lock is unusable. */
public final class RunFolderInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RunFolderInUseException(String message) {
        super(message);
    }

    public RunFolderInUseException(String message, Throwable cause) {
        super(message, cause);
    }
}
