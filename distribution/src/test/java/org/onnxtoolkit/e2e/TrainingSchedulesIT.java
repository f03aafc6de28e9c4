package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code train --kl-schedule/--lr-schedule/--lr-warmup-steps/--early-stop/--log-every} through the CLI: the
 * schedules' values in metrics.csv, steps.csv and the TensorBoard records (read back against the format), a
 * run interrupted or killed in the middle of its schedules resumed bit for bit, early stopping and the best
 * epoch's models, and bad values as one-line usage errors.
 */
class TrainingSchedulesIT {
    /** 8 steps per epoch, 24 in all: a KL warm-up over 2 epochs, a cosine rate after 5 warm-up steps. */
    static final String[] RUN = {"--epochs", "3", "--batch-size", "32", "--max-train", "256", "--max-test", "64",
            "-D", "train-size=300", "-D", "test-size=100", "--kl-schedule", "linear:2", "--lr-schedule", "cosine",
            "--lr-warmup-steps", "5", "--log-every", "3"};
    static final int S = 8;
    static final int T = 24;
    static final double LR = 0.001;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static Path reference;

    @BeforeAll
    static void uninterruptedRun() {
        reference = TinyRun.trainWith(shared.resolve("reference"), RUN);
    }

    /** linear:2 with --kl-weight 1: t / 16, then 1. */
    static double klWeight(long t) {
        return Math.min(1.0, (double) t / (2 * S));
    }

    /** cosine after 5 warm-up steps: lr * min(1, t/5) * (1 + cos(pi * max(0, t - 6) / 19)) / 2. */
    static double lr(long t) {
        double p = Math.max(0, t - 1 - 5) / (double) (T - 5);
        return LR * Math.min(1.0, t / 5.0) * (1 + Math.cos(Math.PI * p)) / 2;
    }

    static List<String[]> rows(Path csv) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size())) {
            rows.add(line.split(","));
        }
        return rows;
    }

    @Test
    void theSchedulesValuesAreInMetricsStepsAndTensorBoard() throws IOException {
        List<String> metrics = Files.readAllLines(reference.resolve("metrics.csv"));
        assertEquals("epoch,train_loss,train_elbo,test_loss,test_elbo,recon,kl,images_per_s,seconds,lr,kl_weight",
                metrics.get(0));
        List<String[]> epochs = rows(reference.resolve("metrics.csv"));
        assertEquals(3, epochs.size());
        for (String[] row : epochs) {
            int epoch = Integer.parseInt(row[0]);
            long last = (long) epoch * S;
            assertEquals(lr(last), Double.parseDouble(row[9]), 1e-15, "lr of epoch " + epoch + ": its last step's");
            assertEquals(klWeight(last), Double.parseDouble(row[10]), 1e-15, "kl_weight of epoch " + epoch);
            // The test loss is bce-kl's recon + kl_weight * kl with the epoch's weight (0.5 after epoch 1).
            double testLoss = Double.parseDouble(row[5]) + klWeight(last) * Double.parseDouble(row[6]);
            assertEquals(testLoss, Double.parseDouble(row[3]), 2e-5, "test_loss of epoch " + epoch);
        }
        assertEquals("step,epoch,loss,recon,kl,kl_weight,lr,images_per_s",
                Files.readAllLines(reference.resolve("steps.csv")).get(0));
        List<String[]> steps = rows(reference.resolve("steps.csv"));
        assertEquals(T / 3, steps.size(), "a row every 3 steps");
        for (int i = 0; i < steps.size(); i++) {
            String[] row = steps.get(i);
            long t = 3L * (i + 1);
            assertEquals(t, Long.parseLong(row[0]));
            assertEquals((t + S - 1) / S, Integer.parseInt(row[1]), "the epoch of step " + t);
            double weight = Double.parseDouble(row[5]);
            assertEquals(klWeight(t), weight, 1e-15, "kl_weight of step " + t);
            assertEquals(lr(t), Double.parseDouble(row[6]), 1e-15, "lr of step " + t);
            // The weight was fed to the training graph: the step's loss is recon + weight * kl.
            assertEquals(Double.parseDouble(row[3]) + weight * Double.parseDouble(row[4]), Double.parseDouble(row[2]),
                    2e-5, "loss of step " + t);
            assertTrue(Double.parseDouble(row[7]) > 0, "images_per_s");
        }

        List<TensorBoardRecords.Event> events = TensorBoardRecords.read(
                reference.resolve("tb/events.out.tfevents.toolkit"));
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        List<String> sequence = new ArrayList<>();
        for (TensorBoardRecords.Event e : events.subList(1, events.size())) {
            sequence.add(e.step() + (e.scalars().containsKey("test/neg_elbo") ? " epoch" : " train"));
            assertTrue(e.wallTime() > 1.7e9, "wall time in seconds since 1970: " + e.wallTime());
        }
        assertEquals(List.of("3 train", "6 train", "8 epoch", "9 train", "12 train", "15 train", "16 epoch",
                "18 train", "21 train", "24 train", "24 epoch"), sequence);
        int row = 0;
        for (TensorBoardRecords.Event e : events.subList(1, events.size())) {
            Map<String, Float> v = e.scalars();
            if (v.containsKey("train/loss")) {
                assertEquals(List.of("train/loss", "train/neg_elbo", "train/recon", "train/kl", "train/kl_weight",
                        "train/lr", "train/images_per_s"), List.copyOf(v.keySet()));
                String[] csv = steps.get(row++);
                assertEquals((float) klWeight(e.step()), v.get("train/kl_weight"));
                assertEquals((float) lr(e.step()), v.get("train/lr"));
                assertEquals(Double.parseDouble(csv[2]), v.get("train/loss"), 1e-3);
                assertEquals(Double.parseDouble(csv[4]), v.get("train/kl"), 1e-5);
            } else {
                assertEquals(List.of("test/loss", "test/neg_elbo", "test/recon", "test/kl", "epoch/train_loss",
                        "epoch/train_neg_elbo", "epoch/kl_weight", "epoch/lr"), List.copyOf(v.keySet()));
                String[] m = epochs.get((int) e.step() / S - 1);
                assertEquals(Double.parseDouble(m[4]), v.get("test/neg_elbo"), 1e-3);
                assertEquals(Double.parseDouble(m[1]), v.get("epoch/train_loss"), 1e-3);
                assertEquals((float) Double.parseDouble(m[10]), v.get("epoch/kl_weight"));
            }
        }
        JsonNode best = RunFolders.readJson(reference.resolve("run.json")).get("best");
        assertEquals(EarlyStop.bestEpoch(epochs), best.get("epoch").asInt(), "run.json names the best epoch");
        JsonNode schedule = RunFolders.readJson(reference.resolve("run.json")).get("config").get("schedule");
        assertEquals("linear:2", schedule.get("klSchedule").asText());
        assertEquals("cosine", schedule.get("lrSchedule").asText());
    }

    /** steps.csv without its measured column (images_per_s). */
    static List<String> stepsWithoutSpeed(Path run) throws IOException {
        return Files.readAllLines(run.resolve("steps.csv")).stream()
                .map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    /** The event file's events without what is measured (wall time, images/s). */
    static List<String> eventsWithoutTimes(Path run) throws IOException {
        List<String> out = new ArrayList<>();
        for (TensorBoardRecords.Event e : TensorBoardRecords.read(run.resolve("tb/events.out.tfevents.toolkit"))) {
            Map<String, Float> v = new LinkedHashMap<>(e.scalars());
            v.remove("train/images_per_s");
            out.add(e.step() + " " + e.fileVersion() + " " + v);
        }
        return out;
    }

    /** The run is the reference run, its logs and best epoch included. */
    static void assertSameAsReference(Path run, String context) throws IOException {
        RunFolders.assertSameRun(reference, run, context);
        assertEquals(stepsWithoutSpeed(reference), stepsWithoutSpeed(run), context + ": steps.csv");
        assertEquals(eventsWithoutTimes(reference), eventsWithoutTimes(run), context + ": tb/");
        for (String f : List.of("best/decoder.onnx", "best/encoder.onnx")) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(f)), Files.readAllBytes(run.resolve(f)), context + ": " + f);
        }
        assertEquals(RunFolders.readJson(reference.resolve("run.json")).get("best"),
                RunFolders.readJson(run.resolve("run.json")).get("best"), context + ": run.json's best");
    }

    @Test
    void aRunInterruptedInTheMiddleOfItsSchedulesResumesBitForBit() throws Exception {
        Path run = tmp.resolve("interrupted");
        // Ctrl-C during batch 3 of epoch 2: the checkpoint is written after step 11, mid-warm-up of the KL weight.
        try (ToolkitProcess p = ToolkitProcess.start(tmp, List.of(ToolkitProcess.pauseAt("train:2:3")),
                CrashResumeIT.args(run, RUN))) {
            p.awaitPause("train:2:3");
            p.signal("INT");
            Thread.sleep(200);
            p.resumeFromPause();
            assertEquals(130, p.waitFor(), p.toString());
        }
        assertEquals(11, RunFolders.readJson(run.resolve("state.json")).get("step").asInt());
        Cli.Result resumed = Cli.run("train", "--resume", run.toString());
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertSameAsReference(run, "interrupted at step 11");
    }

    @Test
    void aRunKilledAfterLoggingPastItsCheckpointHasEveryStepOnceAfterResume() throws Exception {
        Path run = tmp.resolve("killed");
        // Killed before batch 4 of epoch 3: steps 17-19 are done and step 18 is logged, the checkpoint is step 16.
        try (ToolkitProcess p = ToolkitProcess.start(tmp, List.of(ToolkitProcess.haltAt("train:3:4")),
                CrashResumeIT.args(run, RUN))) {
            assertEquals(137, p.waitFor(), p.toString());
        }
        assertEquals(16, RunFolders.readJson(run.resolve("state.json")).get("step").asInt());
        assertTrue(Files.readString(run.resolve("steps.csv")).contains("\n18,3,"), "step 18 was logged");
        // What a crash in the middle of a write leaves: a row without its line end, a record cut short.
        Files.writeString(run.resolve("steps.csv"), "21,3,51", StandardOpenOption.APPEND);
        Files.write(run.resolve("tb/events.out.tfevents.toolkit"), new byte[] {42, 0, 0, 0, 0}, StandardOpenOption.APPEND);
        Cli.Result resumed = Cli.run("train", "--resume", run.toString());
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertSameAsReference(run, "killed at step 19");
    }

    /** Early stopping on a tiny training set with a large rate, where the test negative ELBO stops improving. */
    static final String[] EARLY = {"--max-train", "32", "--batch-size", "8", "--lr", "0.005", "--max-test", "64",
            "-D", "train-size=300", "-D", "test-size=100", "--early-stop", "3", "--log-every", "10"};

    static String[] early(String epochs) {
        List<String> a = new ArrayList<>(List.of("--epochs", epochs));
        a.addAll(List.of(EARLY));
        return a.toArray(String[]::new);
    }

    /** The rule, applied to metrics.csv rows by the test itself. */
    static final class EarlyStop {
        static int bestEpoch(List<String[]> rows) {
            int best = 0;
            double value = Double.POSITIVE_INFINITY;
            for (String[] r : rows) {
                if (Double.parseDouble(r[4]) < value) {
                    value = Double.parseDouble(r[4]);
                    best = Integer.parseInt(r[0]);
                }
            }
            return best;
        }
    }

    @Test
    void earlyStopEndsTheRunAndBestHoldsTheBestEpochsModels() throws Exception {
        Path run = tmp.resolve("early");
        Cli.Result r = Cli.run(CrashResumeIT.args(run, early("40")));
        assertEquals(0, r.exitCode(), r.toString());
        List<String[]> epochs = rows(run.resolve("metrics.csv"));
        int last = epochs.size();
        assertTrue(last < 40, "stopped early, after " + last + " epochs");
        for (int e = 1; e < last; e++) {
            assertTrue(e - EarlyStop.bestEpoch(epochs.subList(0, e)) < 3, "not stopped after epoch " + e);
        }
        int best = EarlyStop.bestEpoch(epochs);
        assertEquals(3, last - best, "three epochs without a better test negative ELBO");
        assertTrue(r.out().contains("early stop after epoch " + last + ": no better test negative ELBO for 3 epochs;"
                + " the best is epoch " + best), r.out());
        JsonNode recorded = RunFolders.readJson(run.resolve("run.json")).get("best");
        assertEquals(best, recorded.get("epoch").asInt());
        assertEquals(Double.parseDouble(epochs.get(best - 1)[4]), recorded.get("testNegElbo").asDouble(), 1e-5);
        assertTrue(RunFolders.readJson(run.resolve("state.json")).get("complete").asBoolean());
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(run.resolve("decoder.onnx")),
                Files.readAllBytes(run.resolve("best/decoder.onnx"))), "the last epoch is not the best");

        // best/ holds exactly what a run of the same settings that ends at the best epoch exports.
        Path shorter = tmp.resolve("shorter");
        assertEquals(0, Cli.run(CrashResumeIT.args(shorter, early(Integer.toString(best)))).exitCode());
        assertArrayEquals(Files.readAllBytes(shorter.resolve("decoder.onnx")),
                Files.readAllBytes(run.resolve("best/decoder.onnx")), "best/decoder.onnx is epoch " + best + "'s");
        assertArrayEquals(Files.readAllBytes(shorter.resolve("encoder.onnx")),
                Files.readAllBytes(run.resolve("best/encoder.onnx")), "best/encoder.onnx is epoch " + best + "'s");

        // A run that stopped early is complete: --resume with more epochs changes nothing.
        Map<String, String> before = RunFolders.hashes(run);
        Cli.Result again = Cli.run("train", "--resume", run.toString(), "--epochs", "60");
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.out().contains("run already completed " + last + " epochs (it stopped early)"), again.out());
        assertEquals(before, RunFolders.hashes(run));

        // Killed between the best epoch and the stop: the resumed run keeps the best and stops where this one did.
        Path killed = tmp.resolve("early-killed");
        String stage = "train:" + (best + 2) + ":2";
        try (ToolkitProcess p = ToolkitProcess.start(tmp, List.of(ToolkitProcess.haltAt(stage)),
                CrashResumeIT.args(killed, early("40")))) {
            assertEquals(137, p.waitFor(), p.toString());
        }
        Cli.Result resumed = Cli.run("train", "--resume", killed.toString());
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertEquals(RunFolders.metricsWithoutTimes(run), RunFolders.metricsWithoutTimes(killed));
        for (String f : List.of("decoder.onnx", "best/decoder.onnx", "best/encoder.onnx")) {
            assertArrayEquals(Files.readAllBytes(run.resolve(f)), Files.readAllBytes(killed.resolve(f)), f);
        }
        assertEquals(recorded, RunFolders.readJson(killed.resolve("run.json")).get("best"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--kl-schedule|linear:0|--kl-schedule linear:0: E must be at least 1, got 0",
        "--kl-schedule|cyclical:2,1.5|--kl-schedule cyclical:2,1.5: cyclical:C,R needs a rising fraction R in (0, 1]",
        "--kl-schedule|sigmoid|--kl-schedule sigmoid: unknown schedule",
        "--lr-schedule|step:x|--lr-schedule step:x: it needs two values, E and G",
        "--lr-schedule|step:x,0.5|--lr-schedule step:x,0.5: E must be a whole number, got 'x'",
        "--lr-schedule|step:2,2|--lr-schedule step:2,2: step:E,G needs a factor G in (0, 1]",
        "--lr-warmup-steps|-1|--lr-warmup-steps must be >= 0, got -1",
        "--early-stop|-2|--early-stop must be a number of epochs >= 1 (or 0: never), got -2",
        "--log-every|0|--log-every must be at least 1 step, got 0",
        "--log-every|x|Invalid value for option '--log-every': 'x' is not an int",
    })
    void badValuesAreOneLineUsageErrors(String flag, String value, String message) {
        Path run = tmp.resolve("bad");
        Cli.Result r = Cli.run("train", "--out", run.toString(), flag, value);
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("toolkit: " + message), r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(run), "nothing written");
    }

    @Test
    void theSchedulesOfARunCannotChangeOnResume() throws IOException {
        Map<String, String> before = RunFolders.hashes(reference);
        for (String[] flag : new String[][] {{"--kl-schedule", "constant"}, {"--lr-schedule", "linear"},
                {"--lr-warmup-steps", "2"}, {"--early-stop", "2"}, {"--log-every", "1"}}) {
            Cli.Result r = Cli.run("train", "--resume", reference.toString(), flag[0], flag[1]);
            assertEquals(2, r.exitCode(), r.toString());
            assertEquals("toolkit: --resume continues a run with its stored settings; " + flag[0]
                    + " cannot be changed (only --epochs, --device, --threads, --verbose, --plugins-dir, --allow-data-change,"
                    + " --spark, --workers, --sync-every, --spark-conf)",
                    r.err().strip());
        }
        assertEquals(before, RunFolders.hashes(reference));
    }
}
