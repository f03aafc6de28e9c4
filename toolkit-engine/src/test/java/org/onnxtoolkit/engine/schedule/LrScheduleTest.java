package org.onnxtoolkit.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The learning rate each schedule gives each step, against values worked out by hand. */
class LrScheduleTest {
    private static final double LR = 0.001;

    @Test
    void constantWithWarmUpRisesLinearlyThenStays() {
        LrSchedule c = LrSchedule.parse("constant");
        assertEquals(LR, c.rate(1, 10, 100, LR, 0));
        assertEquals(LR / 4, c.rate(1, 10, 100, LR, 4), 1e-18);
        assertEquals(LR / 2, c.rate(2, 10, 100, LR, 4), 1e-18);
        assertEquals(LR * 3 / 4, c.rate(3, 10, 100, LR, 4), 1e-18);
        assertEquals(LR, c.rate(4, 10, 100, LR, 4));
        assertEquals(LR, c.rate(100, 10, 100, LR, 4));
    }

    @Test
    void cosineFallsFromTheRateTowardsZeroOverTheRun() {
        LrSchedule c = LrSchedule.parse("cosine");
        assertEquals(LR, c.rate(1, 10, 100, LR, 0));
        assertEquals(LR / 2, c.rate(51, 10, 100, LR, 0), 1e-18);
        assertEquals(LR * (1 + Math.cos(Math.PI * 0.25)) / 2, c.rate(26, 10, 100, LR, 0), 1e-18);
        double last = c.rate(100, 10, 100, LR, 0);
        assertEquals(LR * (1 + Math.cos(Math.PI * 0.99)) / 2, last, 1e-18);
        assertTrue(last > 0 && (float) last > 0, "the last step still learns");
        // With 10 warm-up steps the cosine runs over the other 100: half way at step 10 + 51.
        assertEquals(LR / 2, c.rate(5, 10, 110, LR, 10) * 1, 1e-18);
        assertEquals(LR, c.rate(11, 10, 110, LR, 10));
        assertEquals(LR / 2, c.rate(61, 10, 110, LR, 10), 1e-18);
    }

    @Test
    void linearFallsByEqualSteps() {
        LrSchedule l = LrSchedule.parse("linear");
        assertEquals(LR, l.rate(1, 10, 100, LR, 0));
        assertEquals(LR / 2, l.rate(51, 10, 100, LR, 0), 1e-18);
        assertEquals(LR / 100, l.rate(100, 10, 100, LR, 0), 1e-18);
    }

    @Test
    void stepMultipliesByGEveryEEpochs() {
        LrSchedule s = LrSchedule.parse("step:2,0.5");
        for (long t = 1; t <= 20; t++) {
            assertEquals(LR, s.rate(t, 10, 100, LR, 0), "epochs 1-2, step " + t);
        }
        assertEquals(LR / 2, s.rate(21, 10, 100, LR, 0));
        assertEquals(LR / 2, s.rate(40, 10, 100, LR, 0));
        assertEquals(LR / 4, s.rate(41, 10, 100, LR, 0));
        assertEquals(LR / 16, s.rate(100, 10, 100, LR, 0));
        assertEquals(LR * 0.5 * 0.25, s.rate(41, 10, 100, LR, 82), 1e-18, "warm-up multiplies the step decay");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "step:x|--lr-schedule step:x: it needs two values, E and G",
        "step:2|--lr-schedule step:2: it needs two values, E and G",
        "step:x,0.5|--lr-schedule step:x,0.5: E must be a whole number, got 'x'",
        "step:0,0.5|--lr-schedule step:0,0.5: E must be at least 1, got 0",
        "step:2,0|--lr-schedule step:2,0: step:E,G needs a factor G in (0, 1], got 0.0",
        "step:2,1.5|--lr-schedule step:2,1.5: step:E,G needs a factor G in (0, 1], got 1.5",
        "cosine:3|--lr-schedule cosine:3: unknown schedule",
        "exponential|--lr-schedule exponential: unknown schedule",
    })
    void badSpecsSayWhatIsWrongAndWhatIsExpected(String spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse(spec));
        assertEquals(message + "; expected constant, cosine, linear or step:E,G (multiply by G every E epochs)",
                e.getMessage());
    }

    @Test
    void specsReadBackAsWritten() {
        for (String spec : new String[] {"constant", "cosine", "linear", "step:2,0.5", "step:1,1"}) {
            assertEquals(spec, LrSchedule.parse(spec).toString());
        }
    }
}
