package org.onnxtoolkit.engine.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.onnxtoolkit.engine.schedule.KlSchedule;
import org.onnxtoolkit.engine.schedule.LrSchedule;

/**
 * What a run changes as it goes and how it logs: the KL and learning-rate schedules, early stopping and the
 * per-step log interval; part of {@link RunConfig} and so of {@code run.json} (a {@code run.json} of an earlier
 * toolkit version has none: {@link #DEFAULT}).
 *
 * @param klSchedule    {@code --kl-schedule} as {@link KlSchedule#parse} reads it (normalised)
 * @param lrSchedule    {@code --lr-schedule} as {@link LrSchedule#parse} reads it (normalised)
 * @param lrWarmupSteps {@code --lr-warmup-steps}, {@code >= 0}
 * @param earlyStop     {@code --early-stop}: stop after this many epochs without a better test negative ELBO;
 *                      0 never stops early
 * @param logEvery      {@code --log-every}: a row of {@code steps.csv} (and TensorBoard scalars) every this many
 *                      steps, {@code >= 1}
 */
public record TrainingSchedule(String klSchedule, String lrSchedule, int lrWarmupSteps, int earlyStop,
                               int logEvery) {
    /** Steps between two rows of {@code steps.csv} unless {@code --log-every} says otherwise. */
    public static final int DEFAULT_LOG_EVERY = 50;
    /** Constant KL weight and learning rate, no early stop, a row every 50 steps. */
    public static final TrainingSchedule DEFAULT = new TrainingSchedule(null, null, 0, 0, DEFAULT_LOG_EVERY);

    public TrainingSchedule {
        klSchedule = KlSchedule.parse(klSchedule).toString();
        lrSchedule = LrSchedule.parse(lrSchedule).toString();
        if (lrWarmupSteps < 0) {
            throw new IllegalArgumentException("--lr-warmup-steps must be >= 0, got " + lrWarmupSteps);
        }
        if (earlyStop < 0) {
            throw new IllegalArgumentException("--early-stop must be a number of epochs >= 1 (or 0: never), got "
                    + earlyStop);
        }
        if (logEvery < 1) {
            throw new IllegalArgumentException("--log-every must be at least 1 step, got " + logEvery);
        }
    }

    /** @return the parsed KL schedule */
    @JsonIgnore
    public KlSchedule kl() {
        return KlSchedule.parse(klSchedule);
    }

    /** @return the parsed learning-rate schedule */
    @JsonIgnore
    public LrSchedule lr() {
        return LrSchedule.parse(lrSchedule);
    }
}
