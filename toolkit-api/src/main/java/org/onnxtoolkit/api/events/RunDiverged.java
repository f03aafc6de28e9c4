package org.onnxtoolkit.api.events;

/**
 * The loss stopped being a usable number (not finite, or exploding); the run stops and keeps its last good
 * checkpoint.
 *
 * @param epoch  1-based epoch number
 * @param batch  1-based batch number, or 0 when the test loss diverged in evaluation
 * @param reason what was seen, for example {@code "NaN"} or {@code "1.2e+06, more than 100 times its typical
 *               magnitude 550.3"}
 */
public record RunDiverged(int epoch, int batch, String reason) implements TrainingEvent {
}
