package org.onnxtoolkit.engine.training;

/** A run cannot go on: a diverged loss, a damaged run folder. The message is one line for the user. */
public class TrainingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingException(String message) {
        super(message);
    }

    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
