package org.onnxtoolkit.api.events;

import java.nio.file.Path;

/**
 * A checkpoint (parameters and optimizer state) is on disk and the run's {@code state.json} names it.
 *
 * @param file            the checkpoint file
 * @param sha256          its SHA-256, 64 lower-case hex digits
 * @param completedEpochs epochs completed at this checkpoint
 * @param batchesDone     batches done in the epoch after them (non-zero only for an interruption)
 * @param step            optimizer steps done in the whole run
 */
public record CheckpointWritten(Path file, String sha256, int completedEpochs, int batchesDone, long step)
        implements TrainingEvent {
}
