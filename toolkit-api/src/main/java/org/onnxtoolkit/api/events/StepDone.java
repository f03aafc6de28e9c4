package org.onnxtoolkit.api.events;

/**
 * One optimizer step is done.
 *
 * @param step            optimizer steps done in the whole run, this one included
 * @param epoch           1-based epoch number
 * @param batch           1-based batch number within the epoch
 * @param batches         batches in the epoch
 * @param imagesDone      training images done in this epoch so far
 * @param loss            the step's batch loss (the objective as optimised)
 * @param imagesPerSecond training throughput of the epoch so far (steps only)
 */
public record StepDone(long step, int epoch, int batch, int batches, long imagesDone, double loss,
                       double imagesPerSecond) implements TrainingEvent {
}
