package org.onnxtoolkit.engine.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The divergence rule replayed on the batch losses of real runs of the built-in models (recorded in
 * {@code loss-traces/}, see its README): it never trips on normal training, trips on the second step of every
 * run with a learning rate of 0.1 or more, and judges a resumed run's steps as the uninterrupted run did.
 */
class DivergenceGuardTest {

    /** The step (1-based) at which the rule stops the run, or 0 when it never does; and the largest ratio. */
    record Replay(int stoppedAt, double largestRatio) {
    }

    static Replay replay(List<Double> losses) {
        DivergenceGuard guard = new DivergenceGuard(List.of());
        double largest = 0;
        for (int i = 0; i < losses.size(); i++) {
            double loss = losses.get(i);
            if (i > 0 && Double.isFinite(loss)) {
                largest = Math.max(largest, Math.abs(loss) / guard.typical());
            }
            if (guard.check(loss) != null) {
                return new Replay(i + 1, largest);
            }
            guard.accept(loss);
        }
        return new Replay(0, largest);
    }

    static List<Double> trace(String name) throws IOException {
        try (InputStream in = DivergenceGuardTest.class.getResourceAsStream("loss-traces/" + name + ".txt")) {
            assertNotNull(in, "no trace " + name);
            List<Double> losses = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank()) {
                    losses.add(Double.parseDouble(line.trim()));
                }
            }
            return losses;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp-shapes", "mlp-shapes-bs1", "mlp-shapes-latent2", "mlp-shapes-mse", "mlp-fashion",
            "mlp-fashion-bs8", "conv-shapes", "conv-shapes-bs4", "conv-vanilla"})
    void normalTrainingNeverTrips(String name) throws IOException {
        List<Double> losses = trace(name);
        Replay r = replay(losses);
        assertEquals(0, r.stoppedAt(), name + " stopped");
        // Measured: at most 1.93 (conv-shapes-bs4) and 1.84 (mlp-shapes-bs1), 50 times below the factor.
        assertTrue(r.largestRatio() < DivergenceGuard.FACTOR / 50, name + ": largest ratio " + r.largestRatio());
        assertTrue(losses.size() >= 60, name + " has a full window and more");
    }

    @ParameterizedTest
    @CsvSource({
            // trace, step at which the rule stops it, the step at which a non-finite loss stopped it before
            // Finite throughout: only NaN/inf stopping, it finished its epoch at a test negative ELBO of 430.4 nats/image
            // (356.1 at the default --lr 0.001).
            "mlp-shapes-lr0.1, 2, 0",
            "mlp-shapes-lr1, 2, 8",
            "mlp-shapes-lr10, 2, 4",
            "mlp-shapes-lr1e6, 2, 4",
            "mlp-fashion-lr1, 2, 4",
            "mlp-fashion-lr10, 2, 4",
            "conv-shapes-lr0.1, 2, 9",
            "conv-shapes-lr1, 2, 2",
            "conv-shapes-lr10, 2, 2",
            "conv-shapes-lr1e6, 2, 2"})
    void explodingRunsStopOnTheirSecondStep(String name, int stoppedAt, int nonFiniteAt) throws IOException {
        List<Double> losses = trace(name);
        assertEquals(stoppedAt, replay(losses).stoppedAt(), name);
        int firstNonFinite = 0;
        for (int i = 0; i < losses.size() && firstNonFinite == 0; i++) {
            firstNonFinite = Double.isFinite(losses.get(i)) ? 0 : i + 1;
        }
        assertEquals(nonFiniteAt, firstNonFinite, name + ": where only a non-finite loss would have stopped it");
        if (Double.isFinite(losses.get(1))) {
            assertTrue(Math.abs(losses.get(1)) / losses.get(0) > 2000, name + " explodes by more than 2000 times");
        }
    }

    @Test
    void aBumpThatTrainingRecoversFromIsNotAnExplosion() throws IOException {
        // --lr 0.03: the second loss is 32 times the first, then training settles (a test negative ELBO of 372.1
        // nats/image after one epoch, 356.1 at the default --lr 0.001).
        Replay r = replay(trace("mlp-shapes-lr0.03"));
        assertEquals(0, r.stoppedAt());
        assertTrue(r.largestRatio() > 30 && r.largestRatio() < DivergenceGuard.FACTOR, "ratio " + r.largestRatio());
    }

    @Test
    void theMessageGivesTheValueAndTheTypicalMagnitude() {
        DivergenceGuard guard = new DivergenceGuard(List.of(250.0, 260.0, 240.0));
        assertEquals(250.0, guard.typical());
        assertNull(guard.check(25_000.0));
        assertEquals("2.501e+04, more than 100 times its typical magnitude 250.0", guard.check(25_010.0));
        assertEquals("NaN", guard.check(Double.NaN));
        assertEquals("-Infinity", guard.check(Double.NEGATIVE_INFINITY));
        assertNull(new DivergenceGuard(List.of()).check(1e30), "the first loss has nothing to be compared with");
    }

    @Test
    void magnitudesNotSignsAreCompared() {
        DivergenceGuard guard = new DivergenceGuard(List.of(-2.0, -1.5, 1.0, -2.5, 2.0));
        assertEquals(2.0, guard.typical());
        assertNull(guard.check(-150.0));
        assertNotNull(guard.check(-250.0));
        assertNotNull(guard.check(201.0));
    }

    @Test
    void onlyTheLastWindowCountsAndAResumedGuardJudgesAsTheOriginal() throws IOException {
        List<Double> losses = trace("mlp-shapes");
        DivergenceGuard original = new DivergenceGuard(List.of());
        for (int i = 0; i < 400; i++) {
            original.accept(losses.get(i));
        }
        assertEquals(DivergenceGuard.WINDOW, original.recent().size());
        assertEquals(losses.subList(400 - DivergenceGuard.WINDOW, 400), original.recent());
        DivergenceGuard resumed = new DivergenceGuard(original.recent());
        assertEquals(original.typical(), resumed.typical());
        double edge = original.typical() * DivergenceGuard.FACTOR;
        assertEquals(original.check(edge * 1.0001), resumed.check(edge * 1.0001));
        assertNotNull(resumed.check(edge * 1.0001));
        assertNull(resumed.check(edge * 0.9999));
    }
}
