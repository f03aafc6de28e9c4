package org.onnxtoolkit.runtime.training;

/** Receives progress from a {@link Trainer}; called on the training thread. All methods default to no-op. */
public interface TrainingListener {
    /** Before the first batch of an epoch. */
    default void epochStarted(int epoch, int epochs, int batches, int images) {
    }

    /** After each training step. */
    default void stepDone(int epoch, int batch, int batches, long imagesDone, double loss, double imagesPerSecond) {
    }

    /** After evaluation and outputs of an epoch. */
    default void epochDone(EpochMetrics metrics) {
    }

    /** A one-line message for the user (checkpoint written, resumed from, ...). */
    default void info(String message) {
    }
}
