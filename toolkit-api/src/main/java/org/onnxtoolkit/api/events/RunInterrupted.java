package org.onnxtoolkit.api.events;

import java.nio.file.Path;

/**
 * The run was asked to stop (Ctrl-C); a checkpoint is written and the run can be resumed from it.
 *
 * @param completedEpochs epochs completed
 * @param batchesDone     batches done in the epoch after them
 * @param checkpoint      the checkpoint to resume from
 */
public record RunInterrupted(int completedEpochs, int batchesDone, Path checkpoint) implements TrainingEvent {
}
