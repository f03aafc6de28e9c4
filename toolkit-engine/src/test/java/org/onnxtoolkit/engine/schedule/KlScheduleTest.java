package org.onnxtoolkit.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The KL weight each schedule gives each step, against values worked out by hand. */
class KlScheduleTest {
    /** 10 steps per epoch, 5 epochs: 50 steps. */
    private static final long S = 10;
    private static final long T = 50;

    @Test
    void constantIsTheWeightAtEveryStep() {
        KlSchedule c = KlSchedule.parse("constant");
        for (long t = 1; t <= T; t++) {
            assertEquals(0.25, c.weight(t, S, T, 0.25));
        }
        assertEquals(KlSchedule.CONSTANT, KlSchedule.parse(null));
    }

    @Test
    void linearRisesOverEEpochsCountedInSteps() {
        KlSchedule l = KlSchedule.parse("linear:3");
        // 30 steps of warm-up: w * t / 30, reaching w at the last step of epoch 3.
        assertEquals(2.0 / 30, l.weight(1, S, T, 2.0), 1e-15);
        assertEquals(1.0, l.weight(15, S, T, 2.0), 1e-15);
        assertEquals(2.0 * 10 / 30, l.weight(10, S, T, 2.0), 1e-15);
        assertEquals(2.0, l.weight(30, S, T, 2.0));
        assertEquals(2.0, l.weight(31, S, T, 2.0));
        assertEquals(2.0, l.weight(50, S, T, 2.0));
        for (long t = 2; t <= 30; t++) {
            double before = l.weight(t - 1, S, T, 1.0);
            assertEquals(1.0 / 30, l.weight(t, S, T, 1.0) - before, 1e-12, "a constant slope at step " + t);
        }
    }

    @Test
    void cyclicalRestartsEachCycleAndRisesForItsFraction() {
        // 2 cycles of 25 steps, rising for half of each (12.5 steps): tau = ((t - 1) mod 25) / 25.
        KlSchedule c = KlSchedule.parse("cyclical:2");
        assertEquals("cyclical:2,0.5", c.toString());
        assertEquals(0.0, c.weight(1, S, T, 1.0));
        assertEquals(0.4 / 0.5, c.weight(11, S, T, 1.0), 1e-15);
        assertEquals(1.0, c.weight(14, S, T, 1.0));
        assertEquals(1.0, c.weight(25, S, T, 1.0));
        assertEquals(0.0, c.weight(26, S, T, 1.0), "the second cycle starts at 0");
        assertEquals(0.04 / 0.5, c.weight(27, S, T, 1.0), 1e-15);
        assertEquals(1.0, c.weight(50, S, T, 1.0));
        // Fu et al.'s M = 4, R = 0.5 over T = 10 steps: cycles of 2.5 steps (ceil 3): 0, 0.8, 1, 0, 0.8, 1, ...
        KlSchedule fu = KlSchedule.parse("cyclical:4,0.5");
        double[] expected = {0, 0.8, 1, 0, 0.8, 1, 0, 0.8, 1, 0};
        for (int t = 1; t <= 10; t++) {
            assertEquals(expected[t - 1], fu.weight(t, 5, 10, 1.0), 1e-12, "step " + t);
        }
        KlSchedule whole = KlSchedule.parse("cyclical:1,1");
        assertEquals(49.0 / 50, whole.weight(50, S, T, 1.0), 1e-15, "R = 1 rises over the whole cycle");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "linear:0|--kl-schedule linear:0: E must be at least 1, got 0",
        "linear:x|--kl-schedule linear:x: E must be a whole number, got 'x'",
        "linear:1.5|--kl-schedule linear:1.5: E must be a whole number, got '1.5'",
        "cyclical:2,1.5|--kl-schedule cyclical:2,1.5: cyclical:C,R needs a rising fraction R in (0, 1], got 1.5",
        "cyclical:2,0|--kl-schedule cyclical:2,0: cyclical:C,R needs a rising fraction R in (0, 1], got 0.0",
        "cyclical:0|--kl-schedule cyclical:0: C must be at least 1, got 0",
        "cyclical:2,0.5,1|--kl-schedule cyclical:2,0.5,1: it has more than two values",
        "cyclical:2,nan|--kl-schedule cyclical:2,nan: R must be a number, got 'nan'",
        "warmup|--kl-schedule warmup: unknown schedule",
    })
    void badSpecsSayWhatIsWrongAndWhatIsExpected(String spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KlSchedule.parse(spec));
        assertEquals(message + "; expected constant, linear:E (warm-up over E epochs) or cyclical:C[,R] (C cycles,"
                + " rising for the fraction R of each, default 0.5)", e.getMessage());
    }

    @Test
    void specsReadBackAsWritten() {
        for (String spec : new String[] {"constant", "linear:3", "cyclical:4,0.5", "cyclical:1,1", "cyclical:3,0.25"}) {
            assertEquals(spec, KlSchedule.parse(spec).toString());
        }
    }

    @Test
    void stepsAreCountedFromOne() {
        assertThrows(IllegalArgumentException.class, () -> KlSchedule.CONSTANT.weight(0, S, T, 1.0));
    }
}
