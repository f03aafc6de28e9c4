package org.onnxtoolkit.api.events;

/**
 * An epoch is trained and evaluated, and its outputs (pictures, metrics, checkpoint) are written.
 *
 * @param epochs  the epoch the run ends after
 * @param metrics the epoch's measurements
 */
public record EpochDone(int epochs, EpochMetrics metrics) implements TrainingEvent {
}
