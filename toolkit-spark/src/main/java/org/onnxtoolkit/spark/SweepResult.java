package org.onnxtoolkit.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one run of a sweep came to, as its Spark task returns it to the driver.
 *
 * @param run               the run
 * @param status            {@link Status#DONE} or {@link Status#FAILED}
 * @param epochs            epochs completed (0 when it failed before the first)
 * @param finalTestNegElbo  test negative ELBO of the last completed epoch, nats per image; NaN when none
 * @param bestTestNegElbo   lowest test negative ELBO over the completed epochs, nats per image; NaN when none
 * @param seconds           wall-clock seconds of its epochs, summed over every attempt that completed one
 * @param attempts          the Spark task attempt that produced this result, 1-based (above 1: retried)
 * @param reused            true when the run was already complete and was not trained again ({@code --resume})
 * @param message           for a failed run, the toolkit's one line saying why; else empty
 * @param testNegElboCurve  test negative ELBO per completed epoch, for the sweep's chart
 */
public record SweepResult(SweepRun run, Status status, int epochs, double finalTestNegElbo, double bestTestNegElbo,
                          double seconds, int attempts, boolean reused, String message,
                          ArrayList<Double> testNegElboCurve) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How a run ended. */
    public enum Status { DONE, FAILED }

    public SweepResult {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        testNegElboCurve = new ArrayList<>(testNegElboCurve);
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts " + attempts + " < 1");
        }
    }

    static SweepResult failed(SweepRun run, int attempts, String message, List<Double> curve, double seconds) {
        double last = curve.isEmpty() ? Double.NaN : curve.get(curve.size() - 1);
        double best = curve.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        return new SweepResult(run, Status.FAILED, curve.size(), last, best, seconds, attempts, false, message,
                new ArrayList<>(curve));
    }
}
