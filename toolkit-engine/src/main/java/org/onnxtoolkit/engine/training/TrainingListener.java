package org.onnxtoolkit.engine.training;

import java.io.IOException;
import java.util.List;
import org.onnxtoolkit.api.events.CheckpointWritten;
import org.onnxtoolkit.api.events.EpochDone;
import org.onnxtoolkit.api.events.EpochStarted;
import org.onnxtoolkit.api.events.RunDiverged;
import org.onnxtoolkit.api.events.RunFinished;
import org.onnxtoolkit.api.events.RunInterrupted;
import org.onnxtoolkit.api.events.RunStarted;
import org.onnxtoolkit.api.events.StepDone;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunState;

/**
 * Receives the events of a {@link Trainer}, on the training thread. Every method defaults to doing nothing.
 *
 * <p>A trainer has two kinds of listeners, called in this order for every event:
 * <ol>
 *   <li><b>Outputs</b> write files into the run folder (metrics.csv, the models, pictures) and then the
 *   checkpoint listener records the run's state. Because {@code state.json} is written after every output
 *   listener has handled an epoch, a crash never leaves a recorded epoch whose outputs are missing: the
 *   epoch is trained again on resume. An output that owns files of a finished run says which are missing
 *   ({@link #missingFiles}), so that {@code --resume} finishes a run whose files were lost.</li>
 *   <li><b>Observers</b> (the console, the plugins' CDI observers) see each event after the run folder
 *   recorded it.</li>
 * </ol>
 * A listener that throws stops the run with its failure (the last recorded checkpoint stays usable).
 * {@link TrainingContext} gives the methods that take one access to the run while the event is handled.
 */
public interface TrainingListener {
    /** Training starts, or continues after a resume. */
    default void runStarted(RunStarted event, TrainingContext context) throws IOException {
    }

    /** Before the first (or next, after a resume) batch of an epoch. */
    default void epochStarted(EpochStarted event) {
    }

    /** After each optimizer step. */
    default void stepDone(StepDone event) throws IOException {
    }

    /** An epoch is trained and evaluated; {@code context.state()} is the state that records it. */
    default void epochDone(EpochDone event, TrainingContext context) throws IOException {
    }

    /** A checkpoint is on disk and {@code state.json} names it. */
    default void checkpointWritten(CheckpointWritten event) {
    }

    /** The loss diverged; the run stops after this event with the last good checkpoint kept. */
    default void diverged(RunDiverged event) {
    }

    /** The run was asked to stop; {@code context.state()} is the state to record with its checkpoint. */
    default void interrupted(RunInterrupted event, TrainingContext context) throws IOException {
    }

    /**
     * Every epoch is trained. Outputs write a finished run's files (the models first, then what depends on
     * them); observers see the event once the run is recorded as complete.
     */
    default void runFinished(RunFinished event, TrainingContext context) throws IOException {
    }

    /** A one-line message for the user (resumed from, removed temporary files, ...). */
    default void info(String message) {
    }

    /**
     * The files this listener writes into a finished run that are not in {@code run} (file names relative to
     * the folder). A run whose state says it is complete is finished again (without training) while any
     * listener reports a missing file.
     *
     * @param state  the run's last recorded state; its epochs are all trained
     * @param graphs the run's model
     */
    default List<String> missingFiles(RunDirectory run, RunState state, ModelGraphs graphs) {
        return List.of();
    }
}
