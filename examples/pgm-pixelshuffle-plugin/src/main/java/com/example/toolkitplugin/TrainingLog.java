package com.example.toolkitplugin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.onnxtoolkit.api.events.CheckpointWritten;
import org.onnxtoolkit.api.events.EpochDone;
import org.onnxtoolkit.api.events.RunFinished;
import org.onnxtoolkit.api.events.RunStarted;
import org.onnxtoolkit.api.spi.ToolkitContext;

/**
 * Observes training through CDI events and keeps a log of it in the run folder ({@value #FILE}): one CSV line
 * when a run starts or continues, per epoch (the test negative ELBO), per checkpoint (its SHA-256) and when the
 * run is finished. It is an ordinary bean of this plugin jar: the toolkit delivers every training event of
 * every run (whatever its architecture or dataset) to the observer methods of plugin jars, and offers the
 * {@link ToolkitContext} for injection. A log to another sink (a database, a metrics server) has the same shape.
 *
 * <p>Called on the training thread, after the run folder recorded the event; an exception here stops the run
 * with one line naming this jar.
 */
@ApplicationScoped
public class TrainingLog {
    /** The log's file name in the run folder. */
    public static final String FILE = "training-log.csv";

    @Inject
    ToolkitContext toolkit;

    private Path file;

    void started(@Observes RunStarted event) {
        file = event.runDirectory().resolve(FILE);
        if (!Files.exists(file)) {
            append("event,epoch,batch,value");
        }
        append(String.format(Locale.ROOT, "%s,%d,%d,toolkit %s", event.resumed() ? "resumed" : "started",
                event.firstEpoch(), event.firstBatch(), toolkit.toolkitVersion()));
    }

    void epoch(@Observes EpochDone event) {
        append(String.format(Locale.ROOT, "epoch,%d,,%.6f", event.metrics().epoch(), event.metrics().testNegElbo()));
    }

    void checkpoint(@Observes CheckpointWritten event) {
        append(String.format(Locale.ROOT, "checkpoint,%d,%d,%s", event.completedEpochs(), event.batchesDone(),
                event.sha256()));
    }

    void finished(@Observes RunFinished event) {
        append(String.format(Locale.ROOT, "finished,%d,,%.6f", event.epochs(), event.last().testNegElbo()));
    }

    private void append(String line) {
        if (file == null) {
            return; // an event of a run whose start this bean did not see
        }
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }
}
