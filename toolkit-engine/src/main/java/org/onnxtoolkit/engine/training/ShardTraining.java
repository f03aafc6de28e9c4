package org.onnxtoolkit.engine.training;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.engine.ort.OrtException;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.ort.TrainingSession;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.run.TrainingSchedule;
import org.onnxtoolkit.engine.schedule.KlSchedule;
import org.onnxtoolkit.engine.schedule.LrSchedule;

/**
 * A data-parallel worker's share of a round ({@link EpochRounds}): opens a training session from the round's
 * checkpoint, trains the given batches of the epoch one step each, exactly as the {@link Trainer} trains them
 * (the epoch's shuffle, noise, KL weight and learning rate of each batch come from the run's seed, the batch's
 * number and the step), and returns the resulting checkpoint with optimizer state. A pure function of its
 * arguments: a retried worker returns the same bytes (same device, same thread count).
 *
 * <p>Stateless; each call has its own session, so calls may run in parallel.
 */
public final class ShardTraining {

    /**
     * What a worker returns.
     *
     * @param checkpoint its state after its batches, an ORT checkpoint with optimizer state
     * @param batches    its batches, in the order trained
     */
    public record Result(byte[] checkpoint, List<EpochRounds.Batch> batches) implements Serializable {
        public Result {
            Objects.requireNonNull(checkpoint, "checkpoint");
            batches = List.copyOf(batches);
        }
    }

    private ShardTraining() {
    }

    /**
     * @param checkpoint  the round's starting state (an ORT checkpoint, with or without optimizer state)
     * @param artifacts   the run's training artifacts
     * @param config      the run's settings (batch size, seed, schedules, limits)
     * @param train       the run's training split
     * @param session     device and threads of this worker
     * @param epoch       the epoch, from 1
     * @param batches     the batches to train, ascending numbers in the epoch
     * @param firstBatch  the round's first batch
     * @param stepBefore  the run's step count before the round: batch {@code b} is step
     *                    {@code stepBefore + b - firstBatch + 1} of the schedules
     * @throws IOException when the checkpoint cannot be written to a temporary file
     */
    public static Result train(byte[] checkpoint, TrainingArtifacts artifacts, RunConfig config, ImageSplit train,
                               SessionConfig session, int epoch, int[] batches, int firstBatch, long stepBefore)
            throws IOException {
        int n = config.maxTrainImages() > 0 ? Math.min(train.size(), config.maxTrainImages()) : train.size();
        long stepsPerEpoch = (n + config.batchSize() - 1) / config.batchSize();
        long totalSteps = stepsPerEpoch * config.epochs();
        TrainingSchedule schedule = config.schedule();
        KlSchedule klSchedule = schedule.kl();
        LrSchedule lrSchedule = schedule.lr();
        int[] order = Seeds.permutation(train.size(), Seeds.stream(config.seed(), Seeds.Purpose.SHUFFLE, epoch));
        Batches source = new Batches(train);
        List<EpochRounds.Batch> done = new ArrayList<>();
        try (TrainingSession s = TrainingSession.openFromBytes(checkpoint, artifacts.trainingModel(),
                artifacts.evalModel(), artifacts.optimizerModel(), session)) {
            Feeds feeds = new Feeds(s, artifacts.manifest());
            float sessionRate = Float.NaN;
            for (int b : batches) {
                int count = Math.min(config.batchSize(), n - b * config.batchSize());
                if (count <= 0) {
                    throw new IllegalArgumentException("batch " + b + " is past the epoch's " + stepsPerEpoch);
                }
                Tensor x = Tensor.of(source.batch(order, b * config.batchSize(), count), source.shape(count));
                Tensor labels = feeds.takesLabels()
                        ? Tensor.of(source.labels(order, b * config.batchSize(), count), count) : null;
                CrashPoints.reached("shard", epoch, b + 1);
                long step = stepBefore + (b - firstBatch) + 1;
                double klWeight = klSchedule.weight(step, stepsPerEpoch, totalSteps, config.klWeight());
                double rate = lrSchedule.rate(step, stepsPerEpoch, totalSteps, config.learningRate(),
                        schedule.lrWarmupSteps());
                if ((float) rate != sessionRate) {
                    s.setLearningRate((float) rate);
                    sessionRate = (float) rate;
                }
                long t0 = System.nanoTime();
                Feeds.StepOutputs out;
                try {
                    s.lazyResetGrad();
                    out = feeds.trainStep(s, x, labels, (float) klWeight,
                            Seeds.stream(config.seed(), Seeds.Purpose.TRAIN_NOISE, epoch, b));
                    s.optimizerStep();
                } catch (OrtException e) {
                    throw Trainer.outOfMemoryOr(e, session.device(), "a training step (epoch " + epoch + ", batch "
                            + (b + 1) + ")", count);
                }
                done.add(new EpochRounds.Batch(b, count, out.loss(), out.negElbo(), out.recon(), out.kl(), klWeight,
                        rate, (System.nanoTime() - t0) / 1e9));
            }
            return new Result(s.checkpointBytes(true), done);
        }
    }
}
