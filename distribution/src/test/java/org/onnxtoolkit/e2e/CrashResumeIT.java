package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run killed at any moment is finished by {@code --resume} into exactly the run an uninterrupted process
 * writes with the same seed: {@code decoder.onnx}, {@code encoder.onnx}, {@code manifold.png}, the pictures,
 * the last checkpoint and {@code run.json} byte for byte, {@code metrics.csv} but for its two timing columns
 * (images/s and seconds are measured, so no two runs share them), no temporary file left. The killed runs are
 * separate JVMs: stopped by the trainer's {@code toolkit.test.haltAt} hook at each named stage (a
 * {@code Runtime.halt}, what SIGKILL leaves), and by real SIGKILLs when a file shows a given moment or after
 * a delay.
 */
class CrashResumeIT {
    /** Two epochs of 63 steps, a 2-D latent so that the run also writes manifold.png. */
    static final String[] RUN = {"--epochs", "2", "--latent", "2", "-D", "train-size=4000", "-D", "test-size=300",
            "--batch-size", "64"};

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static Path reference;
    /** Seconds from the "training" line to the end of the uninterrupted run, in its own JVM. */
    static double trainingSeconds;

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        reference = shared.resolve("reference");
        try (ToolkitProcess p = ToolkitProcess.start(shared, List.of(), args(reference))) {
            assertTrue(p.awaitCondition(() -> p.out().contains("training "), 120_000), p.toString());
            long t0 = System.nanoTime();
            assertEquals(0, p.waitFor(), p.toString());
            trainingSeconds = (System.nanoTime() - t0) / 1e9;
        }
        System.out.printf("[crash-resume] the uninterrupted run trains for %.2f s after its \"training\" line%n",
                trainingSeconds);
    }

    static String[] args(Path out) {
        return args(out, RUN);
    }

    static String[] args(Path out, String[] run) {
        List<String> a = new ArrayList<>(List.of("train", "--out", out.toString()));
        a.addAll(List.of(run));
        return a.toArray(String[]::new);
    }

    /** What a killed run left, for the test log (and the report's table). */
    static String describe(Path run) throws IOException {
        String state = "no state.json";
        if (Files.exists(run.resolve("state.json"))) {
            JsonNode s = RunFolders.readJson(run.resolve("state.json"));
            state = "state: " + s.get("completedEpochs") + " epochs + " + s.get("batchesDone") + " batches, complete "
                    + s.get("complete");
        }
        List<String> models = Stream.of("decoder.onnx", "encoder.onnx", "manifold.png")
                .filter(f -> Files.exists(run.resolve(f))).toList();
        return state + "; models " + models + "; temporary files " + RunFolders.temporaryFiles(run);
    }

    private void resumeAndCompare(Path run, String moment) throws IOException {
        String left = describe(run);
        Cli.Result resumed = Cli.run("train", "--resume", run.toString());
        assertEquals(0, resumed.exitCode(), moment + ": " + resumed);
        System.out.println("[crash-resume] " + moment + " -> " + left + " -> resume: "
                + resumed.out().lines().filter(l -> !l.startsWith("epoch ") && !l.startsWith("training "))
                .reduce((a, b) -> a + " | " + b).orElse(""));
        RunFolders.assertSameRun(reference, run, moment);
    }

    @ParameterizedTest
    @ValueSource(strings = {"start", "train:1:3", "evaluate:1", "pictures:1", "metrics:1", "checkpoint-temp:1",
            "checkpoint-renamed:1", "state-written:1", "train:2:1", "train:2:40", "evaluate:2", "pictures:2", "metrics:2",
            "checkpoint-temp:2", "checkpoint-renamed:2", "state-written:2", "export", "export-decoder", "export-encoder",
            "best-decoder", "best-encoder"})
    void killedAtAStageThenResumedGivesTheUninterruptedRun(String stage) throws Exception {
        Path run = tmp.resolve("run");
        try (ToolkitProcess p = ToolkitProcess.start(tmp, List.of(ToolkitProcess.haltAt(stage)), args(run))) {
            assertEquals(137, p.waitFor(), p.toString());
            assertTrue(p.err().contains("toolkit: test hook: halting at " + stage), p.err());
        }
        if (stage.startsWith("checkpoint-temp:")) {
            assertEquals(1, RunFolders.temporaryFiles(run).size(), "the checkpoint is in its temporary file: "
                    + RunFolders.temporaryFiles(run));
        }
        if (stage.startsWith("export")) {
            assertFalse(RunFolders.readJson(run.resolve("state.json")).get("complete").asBoolean(),
                    "a run without its models is not marked complete");
            Cli.Result early = Cli.run("sample", "--model", run.resolve("decoder.onnx").toString(), "--out",
                    tmp.resolve("s.png").toString());
            assertEquals(stage.equals("export") ? 2 : 0, early.exitCode(), early.toString());
        }
        resumeAndCompare(run, "halt at " + stage);
    }

    /** Moments a test can see from outside: a file appears, or time passes after the process starts training. */
    enum Moment {
        CHECKPOINT_BEING_WRITTEN, FIRST_PICTURE_WRITTEN, FIRST_STATE_WRITTEN, DECODER_WRITTEN,
        // Fractions of the uninterrupted run's time after its "training" line, wherever they fall.
        AT_5_PERCENT, AT_30_PERCENT, AT_55_PERCENT, AT_80_PERCENT, AT_95_PERCENT
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Moment.class)
    void sigkillAtAnObservedMomentThenResumeGivesTheUninterruptedRun(Moment moment) throws Exception {
        Path run = tmp.resolve("run");
        try (ToolkitProcess p = ToolkitProcess.start(tmp, List.of(), args(run))) {
            BooleanSupplier when = switch (moment) {
                case CHECKPOINT_BEING_WRITTEN -> () -> {
                    try {
                        return Files.isDirectory(run.resolve("checkpoints"))
                                && !RunFolders.temporaryFiles(run.resolve("checkpoints")).isEmpty();
                    } catch (IOException e) {
                        return false; // a file vanished while listed
                    }
                };
                case FIRST_PICTURE_WRITTEN -> () -> Files.exists(run.resolve("samples-001.png"));
                case FIRST_STATE_WRITTEN -> () -> Files.exists(run.resolve("state.json"));
                case DECODER_WRITTEN -> () -> Files.exists(run.resolve("decoder.onnx"));
                default -> () -> p.out().contains("training ");
            };
            assertTrue(p.awaitCondition(when, 120_000) || !p.isAlive(), "the moment never came:\n" + p);
            if (moment.name().startsWith("AT_")) {
                Thread.sleep(Math.round(trainingSeconds * 10 * Integer.parseInt(moment.name().replaceAll("\\D", ""))));
            }
            boolean alive = p.isAlive();
            p.kill();
            System.out.println("[crash-resume] SIGKILL " + moment + (alive ? "" : " (the run had already ended)"));
        }
        resumeAndCompare(run, "SIGKILL " + moment);
    }

    @Test
    void aSecondInterruptQuitsAtOnceAndTheRunCanBeFinished() throws Exception {
        Path run = tmp.resolve("run");
        // The hook holds the trainer where the first Ctrl-C's checkpoint would be written, so that the second
        // Ctrl-C surely comes before it.
        try (ToolkitProcess p = ToolkitProcess.start(tmp, List.of(ToolkitProcess.pauseAt("interrupt-checkpoint")),
                args(run))) {
            assertTrue(p.awaitCondition(() -> Files.exists(run.resolve("run.json")), 120_000), p.toString());
            p.signal("INT");
            p.awaitPause("interrupt-checkpoint");
            long t0 = System.nanoTime();
            p.signal("INT");
            assertEquals(130, p.waitFor(), p.toString());
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds < 5, "quit at once, not after " + seconds + " s");
            assertTrue(p.err().contains("toolkit: stopping after this step; writing a checkpoint..."), p.err());
            assertTrue(p.err().contains("toolkit: interrupted again: quitting at once; the last checkpoint in "
                    + run.resolve("checkpoints") + " is intact (continue with --resume " + run + ")"), p.err());
            System.out.printf("[crash-resume] second SIGINT: exit 130 after %.3f s%n", seconds);
        }
        resumeAndCompare(run, "second SIGINT while the first one's checkpoint was pending");
    }

    @Test
    void twoQuickInterruptsDuringLongStepsQuitAtOnce() throws Exception {
        Path straight = tmp.resolve("straight");
        // Steps of 0.2 s or more: the second signal, 20 ms after the first, comes while the trainer finishes
        // the step (and then writes the checkpoint) the first one asked it to stop after.
        String[] big = {"--epochs", "2", "--latent", "2", "-D", "train-size=16000", "-D", "test-size=300",
                "--batch-size", "4000"};
        assertEquals(0, Cli.run(args(straight, big)).exitCode());
        Path run = tmp.resolve("run");
        try (ToolkitProcess p = ToolkitProcess.start(tmp, List.of(), args(run, big))) {
            assertTrue(p.awaitCondition(() -> Files.exists(run.resolve("checkpoints/initial.ckpt")), 120_000),
                    p.toString());
            Process twice = new ProcessBuilder("sh", "-c", "kill -INT " + p.pid() + "; sleep 0.02; kill -INT " + p.pid())
                    .start();
            assertEquals(0, twice.waitFor());
            assertEquals(130, p.waitFor(), p.toString());
            assertTrue(p.err().contains("interrupted again: quitting at once"), p.err());
            System.out.println("[crash-resume] two SIGINTs back to back -> " + describe(run));
        }
        Cli.Result resumed = Cli.run("train", "--resume", run.toString());
        assertEquals(0, resumed.exitCode(), resumed.toString());
        RunFolders.assertSameRun(straight, run, "two quick SIGINTs");
    }
}
