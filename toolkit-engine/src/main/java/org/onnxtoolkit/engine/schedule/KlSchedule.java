package org.onnxtoolkit.engine.schedule;

/**
 * How the weight of the KL term changes over a run ({@code --kl-schedule}), as a pure function of the step, so
 * that a resumed run feeds exactly the weights the uninterrupted one would have.
 *
 * <p>Steps are numbered 1, 2, ..., {@code T} over the whole run ({@code T} = epochs x steps per epoch); the
 * weight of step {@code t} is fed to that step's training graph. With {@code w} the run's {@code --kl-weight}
 * and {@code S} the steps per epoch:
 * <ul>
 *   <li>{@code constant}: {@code w} at every step;</li>
 *   <li>{@code linear:E} (Bowman et al. 2016): {@code w * min(1, t / (E * S))}: rising from {@code w / (E S)}
 *   at the first step to {@code w} at the last step of epoch {@code E}, then constant;</li>
 *   <li>{@code cyclical:C[,R]} (Fu et al. 2019): the run's {@code T} steps form {@code C} cycles of
 *   {@code L = T / C} steps; with {@code tau = ((t - 1) mod ceil(L)) / L} the position in the current cycle,
 *   the weight is {@code w * min(1, tau / R)}: 0 at the first step of each cycle, rising linearly for the
 *   fraction {@code R} of the cycle (default 0.5), then {@code w} until the cycle ends.</li>
 * </ul>
 * Immutable and thread-safe.
 *
 * @param kind   which schedule
 * @param epochs {@code E} of {@code linear:E} ({@code >= 1}); 0 otherwise
 * @param cycles {@code C} of {@code cyclical:C,R} ({@code >= 1}); 0 otherwise
 * @param rising {@code R} of {@code cyclical:C,R}, in (0, 1]; 0 otherwise
 */
public record KlSchedule(Kind kind, int epochs, int cycles, double rising) {
    /** The schedules there are. */
    public enum Kind { CONSTANT, LINEAR, CYCLICAL }

    /** The default: the weight {@code --kl-weight} throughout. */
    public static final KlSchedule CONSTANT = new KlSchedule(Kind.CONSTANT, 0, 0, 0);
    /** The fraction of each cycle in which the weight rises when {@code cyclical:C} gives none. */
    public static final double DEFAULT_RISING = 0.5;

    public KlSchedule {
        if (kind == null) {
            throw new IllegalArgumentException("the KL schedule has no kind");
        }
        switch (kind) {
            case CONSTANT -> require(epochs == 0 && cycles == 0 && rising == 0, "constant takes no values");
            case LINEAR -> require(epochs >= 1 && cycles == 0 && rising == 0,
                    "linear:E needs a whole number of epochs E >= 1, got " + epochs);
            case CYCLICAL -> {
                require(epochs == 0 && cycles >= 1, "cyclical:C needs a whole number of cycles C >= 1, got " + cycles);
                require(rising > 0 && rising <= 1, "cyclical:C,R needs a rising fraction R in (0, 1], got " + rising);
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    /**
     * Parses {@code constant}, {@code linear:E} or {@code cyclical:C[,R]}.
     *
     * @throws IllegalArgumentException with a one-line message naming {@code --kl-schedule}, the value and
     *                                  what is expected
     */
    public static KlSchedule parse(String spec) {
        if (spec == null) {
            return CONSTANT;
        }
        String s = spec.trim();
        String usage = "; expected constant, linear:E (warm-up over E epochs) or cyclical:C[,R] (C cycles, rising for"
                + " the fraction R of each, default 0.5)";
        try {
            if (s.equals("constant")) {
                return CONSTANT;
            }
            if (s.startsWith("linear:")) {
                return new KlSchedule(Kind.LINEAR, Schedules.wholeNumber(s.substring(7), "E"), 0, 0);
            }
            if (s.startsWith("cyclical:")) {
                String[] parts = s.substring(9).split(",", -1);
                if (parts.length > 2) {
                    throw new IllegalArgumentException("it has more than two values");
                }
                int c = Schedules.wholeNumber(parts[0], "C");
                double r = parts.length == 2 ? Schedules.number(parts[1], "R") : DEFAULT_RISING;
                return new KlSchedule(Kind.CYCLICAL, 0, c, r);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--kl-schedule " + spec + ": " + e.getMessage() + usage, e);
        }
        throw new IllegalArgumentException("--kl-schedule " + spec + ": unknown schedule" + usage);
    }

    /**
     * The KL weight of step {@code step} of the run.
     *
     * @param step          1-based step number over the whole run, {@code >= 1}
     * @param stepsPerEpoch steps per epoch, {@code >= 1}
     * @param totalSteps    steps of the whole run, {@code >= 1}
     * @param weight        the run's {@code --kl-weight}, {@code >= 0}
     */
    public double weight(long step, long stepsPerEpoch, long totalSteps, double weight) {
        Schedules.requireSteps(step, stepsPerEpoch, totalSteps);
        return switch (kind) {
            case CONSTANT -> weight;
            case LINEAR -> weight * Math.min(1.0, (double) step / ((double) epochs * stepsPerEpoch));
            case CYCLICAL -> {
                double length = (double) totalSteps / cycles;
                double tau = ((step - 1) % (long) Math.ceil(length)) / length;
                yield weight * Math.min(1.0, tau / rising);
            }
        };
    }

    /** The schedule as {@link #parse} reads it. */
    @Override
    public String toString() {
        return switch (kind) {
            case CONSTANT -> "constant";
            case LINEAR -> "linear:" + epochs;
            case CYCLICAL -> "cyclical:" + cycles + "," + Schedules.format(rising);
        };
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }
}
