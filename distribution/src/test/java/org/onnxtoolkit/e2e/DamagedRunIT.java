package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Run folders that cannot be trusted are refused by {@code --resume} with one line and the right exit code,
 * and nothing in them changes (every file's SHA-256 compared before and after; {@code run.lock} aside, which
 * names the last process that held the lock): flipped checkpoint bytes, impossible {@code state.json} and
 * {@code run.json} values, a checkpoint outside the folder, changed data, and a second process on the same
 * folder. Also: a run folder of an earlier toolkit version still resumes.
 */
class DamagedRunIT {
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    /** One epoch of 63 batches, complete: resuming with --epochs 2 trains the second. */
    static Path oneEpoch;
    /** Both epochs trained, killed before the export: resuming writes the models. */
    static Path beforeExport;
    /** The uninterrupted two-epoch run. */
    static Path twoEpochs;

    @BeforeAll
    static void runs() throws Exception {
        oneEpoch = shared.resolve("one-epoch");
        assertEquals(0, Cli.run(CrashResumeIT.args(oneEpoch, withEpochs(1))).exitCode());
        twoEpochs = shared.resolve("two-epochs");
        assertEquals(0, Cli.run(CrashResumeIT.args(twoEpochs)).exitCode());
        beforeExport = shared.resolve("before-export");
        try (ToolkitProcess p = ToolkitProcess.start(shared, List.of(ToolkitProcess.haltAt("export")),
                CrashResumeIT.args(beforeExport))) {
            assertEquals(137, p.waitFor(), p.toString());
        }
    }

    static String[] withEpochs(int epochs) {
        String[] run = CrashResumeIT.RUN.clone();
        run[1] = Integer.toString(epochs);
        return run;
    }

    /** A damage done to a copy of a run folder. */
    @FunctionalInterface
    interface Damage {
        void to(Path run) throws IOException;
    }

    static Arguments damage(String name, Damage damage, int exitCode, String fragment) {
        return Arguments.of(name, false, damage, exitCode, fragment);
    }

    static Arguments damageBeforeExport(String name, Damage damage, int exitCode, String fragment) {
        return Arguments.of(name, true, damage, exitCode, fragment);
    }

    static Damage state(java.util.function.Consumer<ObjectNode> edit) {
        return run -> RunFolders.editJson(run.resolve("state.json"), edit);
    }

    static Damage runJson(java.util.function.Consumer<ObjectNode> edit) {
        return run -> RunFolders.editJson(run.resolve("run.json"), edit);
    }

    static Stream<Arguments> damages() {
        return Stream.of(
                damage("16 flipped bytes in the checkpoint", run -> RunFolders.flipBytes(
                        run.resolve("checkpoints/epoch-001.ckpt"), 16), 1, "is damaged: its SHA-256 is "),
                damageBeforeExport("16 flipped bytes in the final checkpoint of a run without models",
                        run -> RunFolders.flipBytes(run.resolve("checkpoints/epoch-002.ckpt"), 16), 1,
                        "is damaged: its SHA-256 is "),
                damage("completedEpochs -5", state(s -> s.put("completedEpochs", -5)), 1,
                        "state.json is damaged: completedEpochs is -5; it cannot be negative"),
                damage("batchesDone 1000000", state(s -> s.put("batchesDone", 1_000_000)), 1,
                        "state.json is damaged: step is 63 but 1 epoch and 1000000 batches are done"),
                damage("batchesDone 1000000 with every count made to fit", run -> {
                    RunFolders.editJson(run.resolve("state.json"), s -> s.put("batchesDone", 1_000_000)
                            .put("step", 1_000_063).put("partialImages", 64_000_000L).put("partialLoss", 1e9)
                            .put("partialNegElbo", 1e9).put("partialTrainSeconds", 5.0)
                            .put("checkpoint", "epoch-002-batch-1000000.ckpt").put("complete", false));
                    Files.move(run.resolve("checkpoints/epoch-001.ckpt"),
                            run.resolve("checkpoints/epoch-002-batch-1000000.ckpt"));
                }, 1, "state.json is damaged: batchesDone is 1000000 but an epoch of this run has 63 batches"),
                damage("step off by one", state(s -> s.put("step", 64)), 1,
                        "state.json is damaged: step is 64 but 1 epoch of 63 batches and 0 more batches make 63"),
                damage("a partial loss that is not a number", state(s -> s.put("partialLoss", "NaN")), 1,
                        "state.json is damaged: partialLoss is NaN"),
                damage("history shorter than the epochs", state(s -> ((ArrayNode) s.get("history")).removeAll()), 1,
                        "state.json is damaged: its history has 0 rows but 1 epoch is completed"),
                damage("a fraction for a count", state(s -> s.put("completedEpochs", 1.5)), 1,
                        "state.json is damaged: "),
                damage("checkpoint ../../etc/passwd", state(s -> s.put("checkpoint", "../../etc/passwd")), 1,
                        "checkpoint '../../etc/passwd' is not a plain file name inside the run's checkpoints/ folder"),
                damage("checkpoint /etc/passwd", state(s -> s.put("checkpoint", "/etc/passwd")), 1,
                        "checkpoint '/etc/passwd' is not a plain file name"),
                damage("checkpoint a symbolic link out of the folder, same bytes", run -> {
                    Path ckpt = run.resolve("checkpoints/epoch-001.ckpt");
                    Path outside = run.resolveSibling(run.getFileName() + "-elsewhere.ckpt");
                    Files.move(ckpt, outside);
                    Files.createSymbolicLink(ckpt, outside);
                }, 1, "is a symbolic link; a run's checkpoint must be a plain file inside its checkpoints/ folder"),
                damage("checkpoints/ a symbolic link out of the folder", run -> {
                    Path outside = run.resolveSibling(run.getFileName() + "-checkpoints");
                    Files.move(run.resolve("checkpoints"), outside);
                    Files.createSymbolicLink(run.resolve("checkpoints"), outside);
                }, 1, "checkpoints is a symbolic link"),
                damage("checkpoint missing", run -> Files.delete(run.resolve("checkpoints/epoch-001.ckpt")), 1,
                        "epoch-001.ckpt named in state.json is missing"),
                damageBeforeExport("state.json lost after the second epoch", run -> Files.delete(run.resolve("state.json")),
                        1, "state.json is missing although"),
                damage("state.json not JSON", run -> Files.writeString(run.resolve("state.json"), "{\"completedEp"), 1,
                        "state.json is damaged: "),
                damage("run.json epochs -5", runJson(r -> ((ObjectNode) r.get("config")).put("epochs", -5)), 1,
                        "run.json is damaged: --epochs must be at least 1, got -5"),
                damage("run.json batch size 0", runJson(r -> ((ObjectNode) r.get("config")).put("batchSize", 0)), 1,
                        "run.json is damaged: --batch-size must be at least 1, got 0"),
                damage("run.json without the dataset fingerprint", runJson(r -> ((ObjectNode) r.get("provenance"))
                        .remove("dataset_fingerprint")), 1, "run.json is damaged: its provenance has no dataset_fingerprint"),
                damage("run.json truncated", run -> Files.writeString(run.resolve("run.json"),
                        Files.readString(run.resolve("run.json")).substring(0, 100)), 1, "run.json is damaged: "),
                damage("shapes with another option", runJson(r -> ((ObjectNode) r.get("config").get("datasetOptions"))
                        .put("train-size", "4100")), 1, "cannot resume: the data changed since this run started"
                        + " (dataset shapes: train images were 4000, are 4100, fingerprint was "),
                damage("stopped in the middle of epoch 2, resumed with --epochs 1", run -> {
                    RunFolders.editJson(run.resolve("state.json"), s -> s.put("batchesDone", 10).put("step", 73)
                            .put("partialImages", 640).put("partialLoss", 270_000.0).put("partialNegElbo", 270_000.0)
                            .put("partialTrainSeconds", 0.5).put("checkpoint", "epoch-002-batch-00010.ckpt")
                            .put("complete", false));
                    Files.move(run.resolve("checkpoints/epoch-001.ckpt"),
                            run.resolve("checkpoints/epoch-002-batch-00010.ckpt"));
                }, 2, "--epochs 1: the run stopped in the middle of epoch 2; give --epochs 2 or more"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void aDamagedRunIsRefusedWithOneLineAndNothingChanges(String name, boolean finalRun, Damage damage, int exitCode,
                                                         String fragment) throws IOException {
        Path run = RunFolders.copy(finalRun ? beforeExport : oneEpoch, tmp.resolve("run"));
        damage.to(run);
        Map<String, String> before = RunFolders.hashes(run);
        String epochs = name.endsWith("--epochs 1") ? "1" : "2";
        Cli.Result r = Cli.run("train", "--resume", run.toString(), "--epochs", epochs);
        assertEquals(exitCode, r.exitCode(), name + ": " + r);
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("toolkit: ") && first.contains(fragment), name + ": stderr lacks '" + fragment
                + "':\n" + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose");
        assertTrue(r.err().strip().lines().count() <= 2, "one line (plus the --verbose hint):\n" + r.err());
        assertEquals(before, RunFolders.hashes(run), name + ": the run folder changed");
        System.out.println("[damaged-run] " + name + " -> exit " + r.exitCode() + ": " + first);
    }

    @Test
    void theSameOptionsRecordedAgainResumeFromTheSameFolder() throws IOException {
        // The control for the cases above: the undamaged copies resume and finish the uninterrupted run.
        for (Path base : List.of(oneEpoch, beforeExport)) {
            Path run = RunFolders.copy(base, tmp.resolve("ok-" + base.getFileName()));
            Cli.Result r = Cli.run("train", "--resume", run.toString(), "--epochs", "2");
            assertEquals(0, r.exitCode(), r.toString());
            // run.json records the epochs asked for first: 1 for the run resumed with --epochs 2.
            RunFolders.assertSameRun(twoEpochs, run, "undamaged " + base.getFileName(), java.util.Set.of("run.json"));
        }
    }

    @Test
    void aRunFolderOfAnEarlierToolkitVersionStillResumes() throws IOException {
        Path run = RunFolders.copy(oneEpoch, tmp.resolve("old"));
        RunFolders.editJson(run.resolve("state.json"), s -> s.remove(List.of("checkpointSha256", "recentLosses", "complete")));
        RunFolders.editJson(run.resolve("run.json"), r -> r.remove(List.of("dataset", "dataChanges")));
        Files.delete(run.resolve("run.lock"));
        Cli.Result r = Cli.run("train", "--resume", run.toString(), "--epochs", "2");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("note: state.json was written by an earlier toolkit version and records no checkpoint"
                + " hash; " + run.resolve("checkpoints/epoch-001.ckpt") + " is used unverified"), r.out());
        for (String f : List.of("decoder.onnx", "encoder.onnx", "manifold.png", "checkpoints/epoch-002.ckpt")) {
            assertArrayEquals(Files.readAllBytes(twoEpochs.resolve(f)), Files.readAllBytes(run.resolve(f)), f);
        }
        JsonNode state = RunFolders.readJson(run.resolve("state.json"));
        assertEquals(64, state.get("checkpointSha256").asText().length(), "new checkpoints are hashed");

        Path done = RunFolders.copy(twoEpochs, tmp.resolve("old-done"));
        RunFolders.editJson(done.resolve("state.json"), s -> s.remove(List.of("checkpointSha256", "recentLosses", "complete")));
        Map<String, String> before = RunFolders.hashes(done);
        Cli.Result again = Cli.run("train", "--resume", done.toString());
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.out().contains("run already completed 2 epochs"), again.out());
        assertEquals(before, RunFolders.hashes(done));
    }

    /** 40 small PNG pictures, each different. */
    private static Path photos(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < 40; i++) {
            ImageIO.write(picture(i), "png", dir.resolve(String.format("img%03d.png", i)).toFile());
        }
        return dir;
    }

    private static BufferedImage picture(int seed) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                img.setRGB(x, y, ((x * 5 + seed * 3) & 0xFF) << 16 | ((y * 4 + seed) & 0xFF) << 8 | ((x + y + seed * 11) & 0xFF));
            }
        }
        return img;
    }

    @Test
    void replacedImagesStopTheResumeUnlessTheChangeIsAllowedAndThenItIsRecorded() throws IOException {
        Path photos = photos(tmp.resolve("photos"));
        Path run = tmp.resolve("run");
        Cli.Result first = Cli.run("train", "--out", run.toString(), "--dataset", "image-folder", "--data-dir",
                photos.toString(), "-D", "cache-dir=" + tmp.resolve("cache"), "--epochs", "1", "--batch-size", "8");
        assertEquals(0, first.exitCode(), first.toString());
        String fingerprint = RunFolders.readJson(run.resolve("run.json")).get("provenance").get("dataset_fingerprint")
                .asText();
        ImageIO.write(picture(1000), "png", photos.resolve("img007.png").toFile());

        Map<String, String> before = RunFolders.hashes(run);
        Cli.Result refused = Cli.run("train", "--resume", run.toString(), "--epochs", "2");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.err().startsWith("toolkit: cannot resume: the data changed since this run started (dataset"
                + " image-folder from " + photos + ": fingerprint was " + fingerprint.substring(0, 12) + "..., is "),
                refused.err());
        assertTrue(refused.err().contains("(same number of images: their content or the dataset's options changed));"
                + " restore the data, or resume anyway with --allow-data-change (it is recorded in run.json)"),
                refused.err());
        assertEquals(before, RunFolders.hashes(run));

        Cli.Result allowed = Cli.run("train", "--resume", run.toString(), "--epochs", "2", "--allow-data-change");
        assertEquals(0, allowed.exitCode(), allowed.toString());
        assertTrue(allowed.out().contains("resuming anyway as --allow-data-change asks"), allowed.out());
        JsonNode record = RunFolders.readJson(run.resolve("run.json"));
        JsonNode change = record.get("dataChanges").get(0);
        assertEquals(fingerprint, change.get("previousFingerprint").asText());
        assertEquals(record.get("provenance").get("dataset_fingerprint"), change.get("fingerprint"));
        assertEquals(1, change.get("completedEpochs").asInt());
        assertTrue(change.get("change").asText().startsWith("dataset image-folder from " + photos), change.toString());

        Cli.Result later = Cli.run("train", "--resume", run.toString(), "--epochs", "3");
        assertEquals(0, later.exitCode(), "the recorded data is the reference now: " + later);
        assertEquals(1, RunFolders.readJson(run.resolve("run.json")).get("dataChanges").size());
        System.out.println("[damaged-run] image replaced -> exit 1: " + refused.err().lines().findFirst().orElse(""));
    }

    @Test
    void allowDataChangeBelongsToResume() {
        Cli.Result r = Cli.run("train", "--allow-data-change", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--allow-data-change only applies to --resume"), r.err());
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void aSecondProcessOnTheSameFolderIsRefusedAndTouchesNothing() throws Exception {
        Path run = tmp.resolve("run");
        try (ToolkitProcess holder = ToolkitProcess.start(tmp, List.of(ToolkitProcess.pauseAt("state-written:1")),
                CrashResumeIT.args(run))) {
            holder.awaitPause("state-written:1");
            Map<String, String> before = RunFolders.hashes(run);
            String lock = Files.readString(run.resolve("run.lock"));

            Cli.Result second = Cli.run("train", "--resume", run.toString());
            assertEquals(1, second.exitCode(), second.toString());
            String expected = "toolkit: run folder " + run + " is in use by another toolkit process (pid " + holder.pid()
                    + " on ";
            assertTrue(second.err().startsWith(expected), second.err());
            assertTrue(second.err().lines().findFirst().orElse("").contains(", since 20")
                    && second.err().contains("; wait until it ends (or stop it) before training into this folder"),
                    second.err());
            assertTrue(second.err().strip().lines().count() <= 2, second.err());

            // The same from a third JVM, as a user would start it.
            Cli.Result third = Cli.runInNewJvm(tmp, "train", "--resume", run.toString());
            assertEquals(1, third.exitCode(), third.toString());
            assertTrue(third.err().startsWith(expected), third.err());

            Cli.Result fresh = Cli.run(CrashResumeIT.args(run));
            assertEquals(2, fresh.exitCode(), fresh.toString());
            assertTrue(fresh.err().contains("already exists and is not empty"), fresh.err());

            assertEquals(before, RunFolders.hashes(run), "the refused processes changed the run folder");
            assertEquals(lock, Files.readString(run.resolve("run.lock")), "and its lock file");
            holder.resumeFromPause();
            assertEquals(0, holder.waitFor(), holder.toString());
            System.out.println("[damaged-run] second process -> exit 1: " + second.err().lines().findFirst().orElse(""));
        }
        RunFolders.assertSameRun(twoEpochs, run, "the first process, after the refused ones");
    }

    @Test
    void aSecondProcessIsRefusedWhileTheFirstTrains() throws Exception {
        Path run = tmp.resolve("run");
        List<String> longRun = new ArrayList<>(List.of(CrashResumeIT.args(run)));
        longRun.set(longRun.indexOf("--epochs") + 1, "50");
        try (ToolkitProcess first = ToolkitProcess.start(tmp, List.of(), longRun.toArray(String[]::new))) {
            assertTrue(first.awaitCondition(() -> Files.exists(run.resolve("state.json")), 120_000), first.toString());
            Cli.Result second = Cli.run("train", "--resume", run.toString());
            assertEquals(1, second.exitCode(), second.toString());
            assertTrue(second.err().startsWith("toolkit: run folder " + run + " is in use by another toolkit process"
                    + " (pid " + first.pid() + " on "), second.err());
            assertTrue(first.isAlive(), "the first process trains on");
            first.kill();
        }
        // Killed mid-run; the run (recorded for 50 epochs) finishes with the epochs it has.
        int done = RunFolders.readJson(run.resolve("state.json")).get("completedEpochs").asInt();
        Cli.Result finish = Cli.run("train", "--resume", run.toString(), "--epochs", Integer.toString(done));
        assertEquals(0, finish.exitCode(), finish.toString());
        assertTrue(Files.isRegularFile(run.resolve("decoder.onnx")), finish.toString());
    }
}
