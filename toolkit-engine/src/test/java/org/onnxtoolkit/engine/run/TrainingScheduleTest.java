package org.onnxtoolkit.engine.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.compiler.io.Json;
import org.onnxtoolkit.engine.schedule.KlSchedule;

/** The schedules and best epoch in run.json: written, read back, absent in an older run.json, refused when impossible. */
class TrainingScheduleTest {
    @TempDir
    Path dir;

    private static RunRecord record(TrainingSchedule schedule) {
        RunConfig config = new RunConfig("mlp-vae", new TreeMap<>(), "shapes", null, new TreeMap<>(), "bce-kl", 5, 128,
                0.001, 1.0, 1, "cpu", 0, 0, 0, schedule);
        return new RunRecord(config, Map.of(RunRecord.DATASET_FINGERPRINT, "f"), Map.of(), "a", null, List.of(), null);
    }

    @Test
    void schedulesAndTheBestEpochReadBackFromRunJson() throws IOException {
        TrainingSchedule s = new TrainingSchedule(" cyclical:4 ", "step:2,0.5", 100, 3, 10);
        assertEquals("cyclical:4,0.5", s.klSchedule(), "stored normalised");
        assertEquals(new KlSchedule(KlSchedule.Kind.CYCLICAL, 0, 4, 0.5), s.kl());
        RunRecord r = record(s).withBest(new RunRecord.BestEpoch(3, 250.5));
        RunDirectory run = RunDirectory.at(dir);
        run.writeRecord(r);
        assertEquals(r, run.readRecord());
        String text = Files.readString(run.runJson(), StandardCharsets.UTF_8);
        assertTrue(text.contains("\"klSchedule\" : \"cyclical:4,0.5\""), text);
        assertTrue(!text.contains("\"kl\""), "the parsed schedules are not stored twice: " + text);
    }

    @Test
    void aRunJsonOfAnEarlierVersionHasTheDefaults() throws IOException {
        ObjectNode json = (ObjectNode) Json.MAPPER.valueToTree(record(null));
        ((ObjectNode) json.get("config")).remove("schedule");
        json.remove("best");
        RunDirectory run = RunDirectory.at(dir);
        Files.writeString(run.runJson(), json.toString(), StandardCharsets.UTF_8);
        RunRecord old = run.readRecord();
        assertEquals(TrainingSchedule.DEFAULT, old.config().schedule());
        assertEquals("constant", old.config().schedule().klSchedule());
        assertEquals(50, old.config().schedule().logEvery());
        assertNull(old.best());
    }

    @Test
    void anImpossibleScheduleInRunJsonIsDamage() throws IOException {
        ObjectNode json = (ObjectNode) Json.MAPPER.valueToTree(record(TrainingSchedule.DEFAULT));
        ((ObjectNode) json.get("config").get("schedule")).put("klSchedule", "linear:0");
        RunDirectory run = RunDirectory.at(dir);
        Files.writeString(run.runJson(), json.toString(), StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, run::readRecord);
        assertEquals(run.runJson() + " is damaged: --kl-schedule linear:0: E must be at least 1, got 0; expected"
                + " constant, linear:E (warm-up over E epochs) or cyclical:C[,R] (C cycles, rising for the fraction R"
                + " of each, default 0.5)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RunRecord.BestEpoch(0, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new RunRecord.BestEpoch(1, Double.NaN));
    }
}
