package org.onnxtoolkit.engine.schedule;

/**
 * How the learning rate changes over a run ({@code --lr-schedule}, {@code --lr-warmup-steps}), as a pure
 * function of the step, set on the session before every step, so that a resumed run uses exactly the rates
 * the uninterrupted one would have.
 *
 * <p>Steps are numbered 1, 2, ..., {@code T} over the whole run ({@code T} = epochs x steps per epoch). With
 * {@code lr} the run's {@code --lr}, {@code W} the warm-up steps and {@code S} the steps per epoch, the rate of
 * step {@code t} is {@code lr * min(1, t / W) * decay(t)} (the first factor is 1 when {@code W = 0}), where,
 * with {@code p = max(0, t - 1 - W) / max(1, T - W)} the progress after the warm-up (0 at its first step,
 * below 1 at the last step of the run):
 * <ul>
 *   <li>{@code constant}: {@code decay = 1};</li>
 *   <li>{@code cosine}: {@code decay = (1 + cos(pi p)) / 2} (PyTorch's {@code CosineAnnealingLR} to 0 over
 *   the steps after the warm-up);</li>
 *   <li>{@code linear}: {@code decay = 1 - p};</li>
 *   <li>{@code step:E,G}: {@code decay = G ^ floor((t - 1) / (E S))}: multiplied by {@code G} every {@code E}
 *   epochs (PyTorch's {@code StepLR} with {@code step_size = E} epochs, {@code gamma = G}).</li>
 * </ul>
 * The rate is always positive. Immutable and thread-safe.
 *
 * @param kind   which schedule
 * @param epochs {@code E} of {@code step:E,G} ({@code >= 1}); 0 otherwise
 * @param gamma  {@code G} of {@code step:E,G}, in (0, 1]; 0 otherwise
 */
public record LrSchedule(Kind kind, int epochs, double gamma) {
    /** The schedules there are. */
    public enum Kind { CONSTANT, COSINE, LINEAR, STEP }

    /** The default: {@code --lr} throughout (after the warm-up, if any). */
    public static final LrSchedule CONSTANT = new LrSchedule(Kind.CONSTANT, 0, 0);

    public LrSchedule {
        if (kind == null) {
            throw new IllegalArgumentException("the learning-rate schedule has no kind");
        }
        if (kind == Kind.STEP) {
            if (epochs < 1) {
                throw new IllegalArgumentException("step:E,G needs a whole number of epochs E >= 1, got " + epochs);
            }
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("step:E,G needs a factor G in (0, 1], got " + gamma);
            }
        } else if (epochs != 0 || gamma != 0) {
            throw new IllegalArgumentException(kind.name().toLowerCase(java.util.Locale.ROOT) + " takes no values");
        }
    }

    /**
     * Parses {@code constant}, {@code cosine}, {@code linear} or {@code step:E,G}.
     *
     * @throws IllegalArgumentException with a one-line message naming {@code --lr-schedule}, the value and what
     *                                  is expected
     */
    public static LrSchedule parse(String spec) {
        if (spec == null) {
            return CONSTANT;
        }
        String s = spec.trim();
        String usage = "; expected constant, cosine, linear or step:E,G (multiply by G every E epochs)";
        try {
            switch (s) {
                case "constant":
                    return CONSTANT;
                case "cosine":
                    return new LrSchedule(Kind.COSINE, 0, 0);
                case "linear":
                    return new LrSchedule(Kind.LINEAR, 0, 0);
                default:
                    break;
            }
            if (s.startsWith("step:")) {
                String[] parts = s.substring(5).split(",", -1);
                if (parts.length != 2) {
                    throw new IllegalArgumentException("it needs two values, E and G");
                }
                return new LrSchedule(Kind.STEP, Schedules.wholeNumber(parts[0], "E"), Schedules.number(parts[1], "G"));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--lr-schedule " + spec + ": " + e.getMessage() + usage, e);
        }
        throw new IllegalArgumentException("--lr-schedule " + spec + ": unknown schedule" + usage);
    }

    /**
     * The learning rate of step {@code step} of the run.
     *
     * @param step          1-based step number over the whole run, {@code >= 1}
     * @param stepsPerEpoch steps per epoch, {@code >= 1}
     * @param totalSteps    steps of the whole run, {@code >= 1}
     * @param rate          the run's {@code --lr}, {@code > 0}
     * @param warmupSteps   steps of linear warm-up from {@code rate / W} to {@code rate}, {@code >= 0}
     */
    public double rate(long step, long stepsPerEpoch, long totalSteps, double rate, long warmupSteps) {
        Schedules.requireSteps(step, stepsPerEpoch, totalSteps);
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps cannot be negative: " + warmupSteps);
        }
        double warm = warmupSteps == 0 ? 1.0 : Math.min(1.0, (double) step / warmupSteps);
        double p = (double) Math.max(0, step - 1 - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        double decay = switch (kind) {
            case CONSTANT -> 1.0;
            case COSINE -> (1 + Math.cos(Math.PI * p)) / 2;
            case LINEAR -> 1 - p;
            case STEP -> Math.pow(gamma, Math.floorDiv(step - 1, (long) epochs * stepsPerEpoch));
        };
        return rate * warm * decay;
    }

    /** The schedule as {@link #parse} reads it. */
    @Override
    public String toString() {
        return switch (kind) {
            case CONSTANT -> "constant";
            case COSINE -> "cosine";
            case LINEAR -> "linear";
            case STEP -> "step:" + epochs + "," + Schedules.format(gamma);
        };
    }
}
