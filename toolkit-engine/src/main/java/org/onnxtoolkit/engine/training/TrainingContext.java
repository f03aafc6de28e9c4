package org.onnxtoolkit.engine.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import org.onnxtoolkit.api.events.TrainingEvent;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunState;

/**
 * What a {@link TrainingListener} may use while it handles an event: the run, its model and data, and one
 * access to the training session (its parameters, a checkpoint). Valid only during the callback that
 * received it, on the training thread; never keep it.
 */
public interface TrainingContext {
    /** @return the run folder */
    RunDirectory run();

    /** @return the run's settings */
    RunConfig config();

    /** @return the model's graphs (encoder, decoder, reconstruction, objective) */
    ModelGraphs graphs();

    /** @return toolkit version, plugin ids and versions, fingerprints, for the outputs' metadata */
    Map<String, String> provenance();

    /** @return the test split (pictures show its first images) */
    ImageSplit testImages();

    /**
     * @return the state that records the run at this event (for an epoch: that epoch completed; on an
     *         interruption: the batches done); for {@code runStarted}, the state training starts from
     */
    RunState state();

    /**
     * Copies the current values of the given parameters out of the session.
     *
     * @return each parameter's values by name, row-major in its declared shape
     */
    Map<String, float[]> parameters(Collection<Value> parameters);

    /** Writes the session's parameters and optimizer state as an ONNX Runtime checkpoint to {@code file}. */
    void saveCheckpoint(Path file) throws IOException;

    /**
     * Announces an event this listener caused (a checkpoint it wrote) to every listener, once the current
     * event has been handled by all of them.
     */
    void announce(TrainingEvent event);
}
