package org.onnxtoolkit.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.events.EpochMetrics;

class EarlyStoppingTest {
    private static List<EpochMetrics> history(double... testNegElbo) {
        List<EpochMetrics> rows = new ArrayList<>();
        for (int i = 0; i < testNegElbo.length; i++) {
            rows.add(new EpochMetrics(i + 1, 1, 1, 1, testNegElbo[i], 1, 0, 1, 1, 0.001, 1.0));
        }
        return rows;
    }

    @Test
    void theBestEpochIsTheEarliestLowestTestNegativeElbo() {
        assertEquals(0, EarlyStopping.bestEpoch(List.of()));
        assertEquals(3, EarlyStopping.bestEpoch(history(440, 448, 434, 436, 434)));
        assertEquals(1, EarlyStopping.bestEpoch(history(400)));
    }

    @Test
    void stopsAfterPatienceEpochsWithoutABetterOne() {
        // The run of the measurements: best at 5 (426.10), then 427.03, 433.49, 428.26.
        double[] run = {440.61, 448.06, 434.29, 432.58, 426.10, 427.03, 433.49, 428.26};
        for (int n = 1; n <= run.length; n++) {
            List<EpochMetrics> h = history(java.util.Arrays.copyOf(run, n));
            assertEquals(n == 8, EarlyStopping.stopped(h, 3), "after epoch " + n + " with --early-stop 3");
            assertEquals(n == 2 || n >= 6, EarlyStopping.stopped(h, 1), "after epoch " + n + " with --early-stop 1");
            assertFalse(EarlyStopping.stopped(h, 0), "0 never stops");
        }
        assertTrue(EarlyStopping.stopped(history(440.61, 448.06), 1));
        assertFalse(EarlyStopping.stopped(List.of(), 1));
    }
}
