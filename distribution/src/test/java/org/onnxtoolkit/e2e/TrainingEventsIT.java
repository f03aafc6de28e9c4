package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training events reach plugin jars as CDI events: an observer of the {@code TrainingEvent} supertype sees
 * every event of a run in order, with the runtime's {@code Progress} and {@code ToolkitContext} injected; an
 * observer that throws stops the run with one line naming its jar, after the event was recorded, so the run
 * resumes. A jar without observers is never started by events.
 */
class TrainingEventsIT {
    private static final String COUNTER = """
            package demo;
            import jakarta.enterprise.event.Observes;
            import jakarta.inject.Inject;
            import java.nio.file.*;
            import java.util.*;
            import org.onnxtoolkit.api.events.*;
            import org.onnxtoolkit.api.spi.*;
            @jakarta.enterprise.context.ApplicationScoped
            public class EventCounter {
                @Inject Progress progress;
                @Inject ToolkitContext toolkit;
                private final Map<String, Integer> counts = new TreeMap<>();
                private final List<String> order = new ArrayList<>();
                void on(@Observes TrainingEvent event) throws java.io.IOException {
                    String name = event.getClass().getSimpleName();
                    counts.merge(name, 1, Integer::sum);
                    if (!(event instanceof StepDone)) {
                        order.add(name);
                    }
                    if (event instanceof RunFinished f) {
                        Files.writeString(f.runDirectory().resolve("events.txt"), counts + "\\n" + order + "\\n"
                                + (progress != null) + " " + toolkit.cacheDirectory().getFileName() + "\\n");
                    }
                }
            }
            """;

    private static final String FAILING = """
            package demo;
            import jakarta.enterprise.event.Observes;
            import org.onnxtoolkit.api.events.*;
            @jakarta.enterprise.context.ApplicationScoped
            public class Picky {
                void on(@Observes EpochDone event) {
                    throw new IllegalStateException("no epochs wanted here");
                }
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void anObserverOfEveryEventSeesTheRunInOrderWithTheRuntimeServicesInjected() throws IOException {
        Path plugins = tmp.resolve("plugins");
        PluginJars.write(plugins.resolve("counter.jar"), "demo.EventCounter", COUNTER);
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", "--plugins-dir", plugins.toString(), "-D", "train-size=200", "-D",
                "test-size=50", "--epochs", "2", "--batch-size", "64", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = Files.readAllLines(run.resolve("events.txt"));
        // 200 images in batches of 64: 4 steps per epoch.
        assertEquals("{CheckpointWritten=2, EpochDone=2, EpochStarted=2, RunFinished=1, RunStarted=1, StepDone=8}",
                lines.get(0));
        assertEquals("[RunStarted, EpochStarted, EpochDone, CheckpointWritten, EpochStarted, EpochDone,"
                + " CheckpointWritten, RunFinished]", lines.get(1));
        assertEquals("true onnxtoolkit", lines.get(2), "Progress and ToolkitContext are injected");
    }

    @Test
    void anObserverThatThrowsStopsTheRunWithOneLineAfterTheEpochIsRecorded() throws IOException {
        Path plugins = tmp.resolve("plugins");
        PluginJars.write(plugins.resolve("picky.jar"), "demo.Picky", FAILING);
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", "--plugins-dir", plugins.toString(), "-D", "train-size=200", "-D",
                "test-size=50", "--epochs", "2", "--batch-size", "64", "--out", run.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(List.of("toolkit: plugin jar picky.jar: an observer of EpochDone failed (IllegalStateException:"
                + " no epochs wanted here)", "(run with --verbose for details)"), r.err().lines().toList());
        assertTrue(Files.readString(run.resolve("state.json")).contains("\"completedEpochs\" : 1"),
                "the epoch was recorded before the observers saw it");
        Files.delete(plugins.resolve("picky.jar"));
        Cli.Result resumed = Cli.run("train", "--resume", run.toString(), "--plugins-dir", plugins.toString());
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("resuming " + run + " at epoch 2"), resumed.out());
    }
}
