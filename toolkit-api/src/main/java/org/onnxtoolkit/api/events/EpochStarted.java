package org.onnxtoolkit.api.events;

/**
 * An epoch's first (or, after a resume, next) batch is about to run.
 *
 * @param epoch   1-based epoch number
 * @param epochs  the epoch the run ends after
 * @param batches training steps in the epoch
 * @param images  training images in the epoch
 */
public record EpochStarted(int epoch, int epochs, int batches, int images) implements TrainingEvent {
}
