package org.onnxtoolkit.engine.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.onnxtoolkit.api.events.CheckpointWritten;
import org.onnxtoolkit.api.events.EpochDone;
import org.onnxtoolkit.api.events.RunFinished;
import org.onnxtoolkit.api.events.RunInterrupted;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunFiles;
import org.onnxtoolkit.engine.run.RunState;

/**
 * Records the run: after each epoch (and on interruption) the session's checkpoint with optimizer state,
 * then {@code state.json} naming it with its SHA-256, then removes older checkpoints; when the run is
 * finished, marks {@code state.json} complete. The trainer calls it after every other output listener, so
 * that a recorded epoch always has its outputs. A crash at any point leaves a {@code state.json} that names a
 * complete checkpoint whose hash it holds.
 */
final class Checkpoints implements TrainingListener {
    /** The state this listener last wrote, with its checkpoint's hash; null before the first. */
    private RunState recorded;

    @Override
    public void epochDone(EpochDone event, TrainingContext context) throws IOException {
        save(context, Integer.toString(event.metrics().epoch()));
    }

    @Override
    public void interrupted(RunInterrupted event, TrainingContext context) throws IOException {
        CrashPoints.reached("interrupt-checkpoint");
        save(context, "interrupt");
    }

    @Override
    public void runFinished(RunFinished event, TrainingContext context) throws IOException {
        RunDirectory run = context.run();
        // The state of the last epoch as written (with its checkpoint's hash), or, when the run is finished
        // without training (resume), the state it was resumed from, which has the hash already.
        RunState last = recorded != null && recorded.checkpoint().equals(context.state().checkpoint())
                ? recorded : context.state();
        RunFiles.writing(run.stateJson(), () -> run.writeState(last.completed()));
    }

    /**
     * Writes the checkpoint {@code context.state()} names (atomically; its SHA-256 taken from the complete
     * temporary file before the rename), then {@code state.json}, then removes the older checkpoints.
     *
     * @param stage the epoch, or {@code interrupt}, for the {@link CrashPoints} names
     */
    private void save(TrainingContext context, String stage) throws IOException {
        RunDirectory run = context.run();
        RunState state = context.state();
        Path target = run.checkpoints().resolve(state.checkpoint());
        String[] sha256 = new String[1];
        RunFiles.writing(target, () -> AtomicFiles.writeVia(target, tmp -> {
            context.saveCheckpoint(tmp);
            sha256[0] = RunFiles.sha256(tmp);
            CrashPoints.reached("checkpoint-temp:" + stage);
        }));
        CrashPoints.reached("checkpoint-renamed:" + stage);
        RunState stamped = state.withCheckpointSha256(sha256[0]);
        RunFiles.writing(run.stateJson(), () -> run.writeState(stamped));
        recorded = stamped;
        CrashPoints.reached("state-written:" + stage);
        removeCheckpointsBut(run, state.checkpoint());
        context.announce(new CheckpointWritten(target, sha256[0], state.completedEpochs(), state.batchesDone(),
                state.step()));
    }

    /** Removes every checkpoint but {@code keep}: state.json names no other, and none is ever used again. */
    static void removeCheckpointsBut(RunDirectory run, String keep) throws IOException {
        try (Stream<Path> files = Files.list(run.checkpoints())) {
            for (Path old : files.filter(f -> f.getFileName().toString().endsWith(".ckpt")
                    && !f.getFileName().toString().equals(keep)).toList()) {
                Files.deleteIfExists(old);
            }
        }
    }
}
