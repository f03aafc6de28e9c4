package org.onnxtoolkit.engine.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.TensorBoardEvents;

/** What a resumed run keeps of its logs: the steps up to its checkpoint, whole rows and records only. */
class StepLogTest {
    @TempDir
    Path dir;

    @Test
    void stepsCsvKeepsTheRowsUpToTheCheckpointsStepAndDropsACutRow() throws IOException {
        Path csv = dir.resolve("steps.csv");
        Files.writeString(csv, RunDirectory.STEPS_HEADER + "\n2,1,5.0,4.0,1.0,0.5,0.001,100.0\n"
                + "4,2,4.0,3.0,1.0,1.0,0.001,100.0\n6,3,3.0,2.0,1.0,1.0,0.001,100.0\n8,3,2.5", StandardCharsets.UTF_8);
        assertEquals(RunDirectory.STEPS_HEADER + "\n2,1,5.0,4.0,1.0,0.5,0.001,100.0\n4,2,4.0,3.0,1.0,1.0,0.001,100.0\n",
                new String(StepLog.stepsUpTo(csv, 5), StandardCharsets.UTF_8));
        assertEquals(RunDirectory.STEPS_HEADER + "\n2,1,5.0,4.0,1.0,0.5,0.001,100.0\n4,2,4.0,3.0,1.0,1.0,0.001,100.0\n"
                + "6,3,3.0,2.0,1.0,1.0,0.001,100.0\n", new String(StepLog.stepsUpTo(csv, 8), StandardCharsets.UTF_8),
                "the row of step 8 has no line end: a crash cut it");
        assertEquals(RunDirectory.STEPS_HEADER + "\n", new String(StepLog.stepsUpTo(dir.resolve("none.csv"), 8),
                StandardCharsets.UTF_8));
    }

    @Test
    void eventFilesKeepTheRecordsUpToTheCheckpointsStep() throws IOException {
        byte[] version = TensorBoardEvents.record(TensorBoardEvents.fileVersionEvent(1));
        byte[] s2 = TensorBoardEvents.record(TensorBoardEvents.scalarsEvent(2, 2, Map.of("train/loss", 5.0)));
        byte[] s4 = TensorBoardEvents.record(TensorBoardEvents.scalarsEvent(3, 4, Map.of("train/loss", 4.0)));
        Path file = dir.resolve("events.out.tfevents.toolkit");
        byte[] all = TensorBoardEventsTestBytes.concat(version, s2, s4);
        Files.write(file, TensorBoardEventsTestBytes.concat(all, new byte[] {1, 2, 3}));
        assertEquals(TensorBoardEvents.read(TensorBoardEventsTestBytes.concat(version, s2)).size(),
                TensorBoardEvents.read(StepLog.recordsUpTo(file, 3)).size());
        assertEquals(java.util.Arrays.toString(TensorBoardEventsTestBytes.concat(version, s2)),
                java.util.Arrays.toString(StepLog.recordsUpTo(file, 3)));
        assertEquals(java.util.Arrays.toString(all), java.util.Arrays.toString(StepLog.recordsUpTo(file, 4)),
                "the three bytes a crash left are dropped");
    }

    /** Byte arrays joined. */
    static final class TensorBoardEventsTestBytes {
        static byte[] concat(byte[]... parts) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (byte[] p : parts) {
                out.writeBytes(p);
            }
            return out.toByteArray();
        }
    }
}
