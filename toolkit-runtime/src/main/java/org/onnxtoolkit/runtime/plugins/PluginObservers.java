package org.onnxtoolkit.runtime.plugins;

import java.util.Objects;
import org.onnxtoolkit.api.events.CheckpointWritten;
import org.onnxtoolkit.api.events.EpochDone;
import org.onnxtoolkit.api.events.EpochStarted;
import org.onnxtoolkit.api.events.RunDiverged;
import org.onnxtoolkit.api.events.RunFinished;
import org.onnxtoolkit.api.events.RunInterrupted;
import org.onnxtoolkit.api.events.RunStarted;
import org.onnxtoolkit.api.events.StepDone;
import org.onnxtoolkit.engine.training.TrainingContext;
import org.onnxtoolkit.engine.training.TrainingListener;

/**
 * A trainer observer that delivers every training event to the plugins as a CDI event, so that a plugin jar
 * observes training with an ordinary observer method ({@code void onEpoch(@Observes EpochDone e)}) and
 * nothing but toolkit-api. Added after the run folder's own listeners, so observers see recorded events.
 * Used on the training thread only.
 */
public final class PluginObservers implements TrainingListener {
    private final PluginRegistry plugins;

    /** @param plugins the registry whose jars receive the events; owned by the caller */
    public PluginObservers(PluginRegistry plugins) {
        this.plugins = Objects.requireNonNull(plugins, "plugins");
    }

    @Override
    public void runStarted(RunStarted event, TrainingContext context) {
        plugins.fire(event);
    }

    @Override
    public void epochStarted(EpochStarted event) {
        plugins.fire(event);
    }

    @Override
    public void stepDone(StepDone event) {
        plugins.fire(event);
    }

    @Override
    public void epochDone(EpochDone event, TrainingContext context) {
        plugins.fire(event);
    }

    @Override
    public void checkpointWritten(CheckpointWritten event) {
        plugins.fire(event);
    }

    @Override
    public void diverged(RunDiverged event) {
        plugins.fire(event);
    }

    @Override
    public void interrupted(RunInterrupted event, TrainingContext context) {
        plugins.fire(event);
    }

    @Override
    public void runFinished(RunFinished event, TrainingContext context) {
        plugins.fire(event);
    }
}
