package org.onnxtoolkit.runtime.cli;

import org.onnxtoolkit.engine.run.TrainingSchedule;
import picocli.CommandLine.Option;

/**
 * {@code train}'s options for what changes as a run goes and how it logs: the KL and learning-rate schedules,
 * early stopping and the per-step log interval. They are stored in {@code run.json} and kept on
 * {@code --resume}. Not thread-safe (picocli fills it once).
 */
final class ScheduleOptions {
    static final String KL_SCHEDULE = "--kl-schedule";
    static final String LR_SCHEDULE = "--lr-schedule";
    static final String LR_WARMUP_STEPS = "--lr-warmup-steps";
    static final String EARLY_STOP = "--early-stop";
    static final String LOG_EVERY = "--log-every";

    @Option(names = KL_SCHEDULE, paramLabel = "SPEC", description = "KL weight over the run: constant, linear:E"
            + " (warm-up from 0 to --kl-weight over E epochs, counted in steps) or cyclical:C[,R] (C cycles, each"
            + " rising from 0 for the fraction R of it, default 0.5) (default: constant)")
    String klSchedule;

    @Option(names = LR_SCHEDULE, paramLabel = "SPEC", description = "learning rate over the run: constant, cosine,"
            + " linear (both to 0 at the end) or step:E,G (times G every E epochs) (default: constant)")
    String lrSchedule;

    @Option(names = LR_WARMUP_STEPS, paramLabel = "N", description = "raise the learning rate linearly over the first"
            + " N steps (default: 0)")
    int lrWarmupSteps;

    @Option(names = EARLY_STOP, paramLabel = "N", description = "stop after N epochs without a better test negative"
            + " ELBO (default: 0, never); best/ always holds the best epoch's models")
    int earlyStop;

    @Option(names = LOG_EVERY, paramLabel = "N", description = "a row of steps.csv and TensorBoard scalars in tb/"
            + " every N steps (default: " + TrainingSchedule.DEFAULT_LOG_EVERY + ")")
    int logEvery = TrainingSchedule.DEFAULT_LOG_EVERY;

    /**
     * The schedule these options ask for.
     *
     * @throws UsageException naming the flag and what it takes when a value cannot be used
     */
    TrainingSchedule schedule() {
        try {
            return new TrainingSchedule(klSchedule, lrSchedule, lrWarmupSteps, earlyStop, logEvery);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }
}
