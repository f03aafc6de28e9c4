package org.onnxtoolkit.api.events;

/** One event of a training run; see the package documentation for when and where events are delivered. */
public sealed interface TrainingEvent permits RunStarted, EpochStarted, StepDone, EpochDone, CheckpointWritten,
        RunDiverged, RunInterrupted, RunFinished {
}
