package org.onnxtoolkit.engine.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.onnxtoolkit.api.events.EpochMetrics;

/**
 * {@code state.json} as resume reads it: a state the trainer writes reads back equal, and each impossible
 * value (a bad byte, a hand edit) is refused with a message naming it, both by the record's own checks and by
 * those against the run's batches per epoch.
 */
public class RunStateTest {
    @TempDir
    Path dir;

    private static EpochMetrics row(int epoch) {
        return new EpochMetrics(epoch, 250.5 - epoch, 251.5 - epoch, 249.0 - epoch, 249.0 - epoch, 240.0, 9.0,
                20_000, 3.2, 0.001, 1.0);
    }

    /** Mid-epoch 3 of a run with 10 batches per epoch of 128 images: 2 epochs and 4 batches done. */
    public static RunState interrupted() {
        return new RunState(2, 4, 24, "epoch-003-batch-00004.ckpt", "ab".repeat(32), 1000.5, 1001.5, 512, 0.25,
                List.of(row(1), row(2)), List.of(260.0, 255.0, 250.0), false);
    }

    private RunState roundTrip(RunState state) throws IOException {
        RunDirectory.writeJson(dir.resolve(RunDirectory.STATE_JSON), state);
        return RunDirectory.at(dir).readState();
    }

    @Test
    void whatTheTrainerWritesReadsBackEqual() throws IOException {
        RunState state = interrupted();
        assertEquals(state, roundTrip(state));
        RunState done = new RunState(2, 0, 20, "epoch-002.ckpt", "0f".repeat(32), 0, 0, 0, 0, List.of(row(1), row(2)),
                List.of(), true);
        assertEquals(done, roundTrip(done));
        state.checkAgainst(128, 10, false);
        done.checkAgainst(128, 10, false);
    }

    @Test
    void aStateWithoutTheNewFieldsIsReadAsAnOlderToolkitWroteIt() throws IOException {
        ObjectNode json = (ObjectNode) org.onnxtoolkit.compiler.io.Json.MAPPER.valueToTree(interrupted());
        json.remove(List.of("checkpointSha256", "recentLosses", "complete"));
        Files.writeString(dir.resolve(RunDirectory.STATE_JSON), json.toString(), StandardCharsets.UTF_8);
        RunState old = RunDirectory.at(dir).readState();
        assertNull(old.checkpointSha256());
        assertNull(old.complete());
        assertEquals(List.of(), old.recentLosses());
        assertEquals(interrupted().history(), old.history());
    }

    @Test
    void historyRowsWithoutAKlWeightAreReadAsAnOlderToolkitWroteThem() throws IOException {
        ObjectNode json = (ObjectNode) org.onnxtoolkit.compiler.io.Json.MAPPER.valueToTree(interrupted());
        for (com.fasterxml.jackson.databind.JsonNode row : json.get("history")) {
            ((ObjectNode) row).remove("klWeight");
        }
        Files.writeString(dir.resolve(RunDirectory.STATE_JSON), json.toString(), StandardCharsets.UTF_8);
        RunState old = RunDirectory.at(dir).readState();
        assertNull(old.history().get(0).klWeight());
        assertEquals(1.0, old.history().get(0).withKlWeightIfAbsent(1.0).klWeight());
        assertEquals(interrupted().history().get(1), old.history().get(1).withKlWeightIfAbsent(1.0));
        assertTrue(new String(RunDirectory.metricsCsv(old.history()), StandardCharsets.UTF_8)
                .contains(",0.001,\n"), "an unknown weight is an empty kl_weight cell");
    }

    static Stream<Arguments> damage() {
        return Stream.of(
                edit("completedEpochs", j -> j.put("completedEpochs", -5), "completedEpochs is -5"),
                edit("batchesDone negative", j -> j.put("batchesDone", -1), "batchesDone is -1"),
                edit("step negative", j -> j.put("step", -3), "step is -3"),
                edit("step below the done batches", j -> j.put("step", 5), "step is 5 but 2 epochs and 4 batches"),
                edit("fraction for a count", j -> j.put("batchesDone", 4.5), "batchesDone"),
                edit("null for a number", j -> j.putNull("step"), "step"),
                edit("missing field", j -> j.remove("partialImages"), "partialImages"),
                edit("not a number", j -> j.put("partialLoss", "NaN"), "partialLoss is NaN"),
                edit("infinite seconds", j -> j.put("partialTrainSeconds", "Infinity"), "partialTrainSeconds is Infinity"),
                edit("negative seconds", j -> j.put("partialTrainSeconds", -1.0), "partialTrainSeconds is -1.0"),
                edit("negative images", j -> j.put("partialImages", -1), "partialImages is -1"),
                edit("fewer images than batches", j -> j.put("partialImages", 3), "partialImages is 3 but 4 batches"),
                edit("sums without batches", j -> j.put("batchesDone", 0).put("step", 20)
                        .put("checkpoint", "epoch-002.ckpt"), "partial sums are not 0"),
                edit("history too short", j -> ((ArrayNode) j.get("history")).remove(1), "history has 1 rows but 2"),
                edit("history misnumbered", j -> ((ObjectNode) j.get("history").get(1)).put("epoch", 7),
                        "history row 2 is for epoch 7"),
                edit("history not finite", j -> ((ObjectNode) j.get("history").get(0)).put("testNegElbo", "NaN"),
                        "history row 1 is NaN"),
                edit("history negative time", j -> ((ObjectNode) j.get("history").get(0)).put("seconds", -2.0),
                        "history row 1 has a negative"),
                edit("recent loss not finite", j -> ((ArrayNode) j.get("recentLosses")).add("Infinity"),
                        "recentLosses is Infinity"),
                edit("parent directory", j -> j.put("checkpoint", "../../etc/passwd"), "not a plain file name"),
                edit("absolute path", j -> j.put("checkpoint", "/etc/passwd"), "not a plain file name"),
                edit("dot dot", j -> j.put("checkpoint", ".."), "not a plain file name"),
                edit("backslash", j -> j.put("checkpoint", "..\\x.ckpt"), "not a plain file name"),
                edit("another checkpoint's name", j -> j.put("checkpoint", "epoch-001.ckpt"),
                        "the checkpoint is epoch-003-batch-00004.ckpt"),
                edit("no checkpoint", j -> j.remove("checkpoint"), "checkpoint"),
                edit("bad hash", j -> j.put("checkpointSha256", "xyz"), "checkpointSha256 is not 64"),
                edit("complete mid-epoch", j -> j.put("complete", true), "complete in the middle of epoch 3"),
                edit("negative KL weight", j -> ((ObjectNode) j.get("history").get(1)).put("klWeight", -0.5),
                        "history row 2 has a KL weight that is not a number >= 0"),
                edit("trailing text", null, "damaged"));
    }

    private static Arguments edit(String name, Consumer<ObjectNode> change, String message) {
        return Arguments.of(name, change, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damage")
    void anImpossibleValueIsRefusedNamingIt(String name, Consumer<ObjectNode> change, String message) throws IOException {
        ObjectNode json = (ObjectNode) org.onnxtoolkit.compiler.io.Json.MAPPER.valueToTree(interrupted());
        String text;
        if (change == null) {
            text = json + "\n{}";
        } else {
            change.accept(json);
            text = json.toString();
        }
        Files.writeString(dir.resolve(RunDirectory.STATE_JSON), text, StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> RunDirectory.at(dir).readState());
        assertTrue(e.getMessage().startsWith(dir.resolve(RunDirectory.STATE_JSON) + " is damaged: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void checksAgainstTheRunsBatchesPerEpoch() {
        RunState s = interrupted();
        IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class, () -> s.checkAgainst(128, 4, true));
        assertEquals("batchesDone is 4 but an epoch of this run has 4 batches", beyond.getMessage());
        IllegalArgumentException images = assertThrows(IllegalArgumentException.class, () -> s.checkAgainst(64, 10, false));
        assertEquals("partialImages is 512 but 4 full batches of 64 images are done", images.getMessage());
        IllegalArgumentException step = assertThrows(IllegalArgumentException.class, () -> s.checkAgainst(128, 11, false));
        assertEquals("step is 24 but 2 epochs of 11 batches and 4 more batches make 26", step.getMessage());
        // After an allowed data change the number of batches per epoch may have changed: the step is not summed.
        s.checkAgainst(128, 11, true);
    }

    @Test
    void hugeCountsAreRefusedWithTheDataAtHand() throws IOException {
        ObjectNode json = (ObjectNode) org.onnxtoolkit.compiler.io.Json.MAPPER.valueToTree(interrupted());
        json.put("batchesDone", 1_000_000).put("step", 1_000_020).put("partialImages", 128_000_000L)
                .put("checkpoint", RunState.checkpointName(3, 1_000_000));
        Files.writeString(dir.resolve(RunDirectory.STATE_JSON), json.toString(), StandardCharsets.UTF_8);
        RunState s = RunDirectory.at(dir).readState();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.checkAgainst(128, 10, false));
        assertEquals("batchesDone is 1000000 but an epoch of this run has 10 batches", e.getMessage());
    }

    @Test
    void checkpointNamesFollowTheTrainersScheme() {
        assertEquals(List.of("initial.ckpt", "epoch-001-batch-00000.ckpt"), RunState.checkpointNames(0, 0));
        assertEquals(List.of("epoch-002.ckpt", "epoch-003-batch-00000.ckpt"), RunState.checkpointNames(2, 0));
        assertEquals(List.of("epoch-003-batch-00004.ckpt"), RunState.checkpointNames(2, 4));
    }
}
