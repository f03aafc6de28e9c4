package org.onnxtoolkit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepReportTest {
    @Test
    void oneRowPerRunWithItsValuesAndOutcome(@TempDir Path dir) throws Exception {
        List<SweepRun> runs = SweepRun.of(SweepGrid.parse(List.of("hidden=512,256;64", "lr=0.1")), List.of());
        SweepResult done = new SweepResult(runs.get(0), SweepResult.Status.DONE, 3, 101.25, 100.5, 12.34, 2, false, "",
                new ArrayList<>(List.of(110.0, 100.5, 101.25)));
        SweepResult failed = SweepResult.failed(runs.get(1), 4, "the loss became NaN, at epoch 1", List.of(), 0);
        assertEquals("""
                run,hidden,lr,status,epochs,final_test_neg_elbo,best_test_neg_elbo,seconds,attempts,message
                01-hidden=512_256-lr=0.1,"512,256",0.1,done,3,101.2500,100.5000,12.3,2,
                02-hidden=64-lr=0.1,64,0.1,failed,0,,,0.0,4,"the loss became NaN, at epoch 1"
                """, SweepReport.csv(List.of("hidden", "lr"), List.of(done, failed)));

        SweepReport.write(dir, List.of("hidden", "lr"), List.of(done, failed));
        assertTrue(Files.size(dir.resolve(SweepReport.PNG)) > 1000);
        assertTrue(Files.readString(dir.resolve(SweepReport.CSV)).startsWith("run,hidden,lr,"));
    }

    @Test
    void noChartWhenNoRunCompletedAnEpoch(@TempDir Path dir) throws Exception {
        List<SweepRun> runs = SweepRun.of(SweepGrid.parse(List.of("lr=0.1")), List.of());
        SweepReport.write(dir, List.of("lr"), List.of(SweepResult.failed(runs.get(0), 1, "bad", List.of(), 0)));
        assertFalse(Files.exists(dir.resolve(SweepReport.PNG)));
    }
}
