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
 * @param negElbo         the step's batch negative ELBO, nats per image
 * @param recon           reconstruction term of the step's negative ELBO, nats per image (NaN when the model's
 *                        training graph does not output it)
 * @param kl              KL term of the step's negative ELBO, nats per image (NaN when not output)
 * @param klWeight        the KL weight the step was trained with
 * @param learningRate    the learning rate of the step's optimizer update
 */
public record StepDone(long step, int epoch, int batch, int batches, long imagesDone, double loss,
                       double imagesPerSecond, double negElbo, double recon, double kl, double klWeight,
                       double learningRate) implements TrainingEvent {
}
