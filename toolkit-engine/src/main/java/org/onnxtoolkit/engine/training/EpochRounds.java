package org.onnxtoolkit.engine.training;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Trains an epoch's batches in rounds elsewhere (data-parallel training: several workers, each on its share of a
 * round's batches, their states combined after each round), in place of the {@link Trainer}'s own per-batch
 * steps. The trainer keeps everything else: it hands each round the current checkpoint, continues from the
 * checkpoint the round returns, evaluates on the test split after each epoch and writes the run folder as a
 * local run does. Set with {@link Trainer.Builder#rounds}.
 *
 * <p>A round's batches are numbered as in a local run: batch {@code b} of epoch {@code e} holds the images at
 * positions {@code b·B .. (b+1)·B} of epoch {@code e}'s shuffle of the run's seed, and its noise is the stream
 * {@code (seed, TRAIN_NOISE, e, b)}; {@link ShardTraining} trains a worker's share with exactly these, so a
 * round is a pure function of its checkpoint and numbers, and a worker's retry recomputes the same result.
 *
 * <p>Called from the trainer's thread only.
 */
public interface EpochRounds {
    /** The most batches one round trains (workers times steps between synchronisations), {@code >= 1}. */
    int batchesPerRound();

    /**
     * Trains batches {@code firstBatch .. firstBatch + count - 1} of epoch {@code epoch} from {@code checkpoint}.
     *
     * @param checkpoint the current state: an ORT checkpoint with optimizer state; not modified
     * @param epoch      the epoch, from 1
     * @param firstBatch the round's first batch in the epoch, from 0
     * @param count      batches in the round, {@code 1 .. batchesPerRound()}
     * @param stepBefore the run's step count before the round (the schedules' step of batch
     *                   {@code firstBatch + i} is {@code stepBefore + i + 1})
     * @return the combined state and each batch's outcome
     * @throws IOException when the round could not be trained (the run stops; its last checkpoint is kept)
     */
    Round train(byte[] checkpoint, int epoch, int firstBatch, int count, long stepBefore) throws IOException;

    /**
     * What a round produced.
     *
     * @param checkpoint the combined state, an ORT checkpoint with optimizer state
     * @param batches    every batch of the round, in batch order
     */
    record Round(byte[] checkpoint, List<Batch> batches) {
        public Round {
            Objects.requireNonNull(checkpoint, "checkpoint");
            batches = List.copyOf(batches);
        }
    }

    /**
     * One trained batch, as a worker saw it: the batch means of its outputs.
     *
     * @param batch        the batch's number in the epoch, from 0
     * @param images       images in the batch
     * @param loss         the training loss
     * @param negElbo      the negative ELBO, nats per image
     * @param recon        its reconstruction term (NaN when the model does not output it)
     * @param kl           its KL term (NaN likewise)
     * @param klWeight     the KL weight fed
     * @param learningRate the learning rate of the step
     * @param seconds      the step's time on the worker (the trainer counts the round's wall clock instead)
     */
    record Batch(int batch, int images, double loss, double negElbo, double recon, double kl, double klWeight,
                 double learningRate, double seconds) implements Serializable {
    }
}
