package org.onnxtoolkit.engine.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.onnxtoolkit.api.events.EpochMetrics;

/**
 * Where a run stands ({@code state.json}), written atomically after each checkpoint so that it always
 * names a complete checkpoint. Every value is checked when the record is built, so a {@code state.json} that
 * a bad byte, a hand edit or another program made impossible is refused when it is read (see
 * {@link #checkAgainst} for the checks that need the run's settings and data).
 *
 * @param completedEpochs     epochs fully done, {@code >= 0}
 * @param batchesDone         batches done in the epoch after them ({@code >= 0}; non-zero only after an
 *                            interruption)
 * @param step                optimizer steps done in the whole run, {@code >= completedEpochs + batchesDone}
 * @param checkpoint          file name of the checkpoint in {@code checkpoints/}: a plain name, the one the
 *                            trainer gives a checkpoint at this point of the run
 *                            ({@link #checkpointName(int, int)})
 * @param checkpointSha256    SHA-256 of the checkpoint's bytes as written, 64 lower-case hex digits; null
 *                            only in a {@code state.json} written by an earlier toolkit version (resume then
 *                            says so and uses the checkpoint unverified)
 * @param partialLoss         sum over the done batches of the current epoch of loss times batch size
 *                            (finite; 0 when no batch is done)
 * @param partialNegElbo      same for the negative ELBO
 * @param partialImages       images in the done batches of the current epoch ({@code >= batchesDone}, 0 when
 *                            no batch is done)
 * @param partialTrainSeconds time spent in training steps of the current epoch, finite and {@code >= 0}
 * @param history             metrics of the completed epochs: exactly {@code completedEpochs} rows,
 *                            numbered 1, 2, ..., with finite values
 * @param recentLosses        the last batch losses (oldest first, at most {@link #RECENT_LOSSES}),
 *                            which the divergence rule compares the next loss with; empty in an older
 *                            {@code state.json}
 * @param complete            true once {@code decoder.onnx} and {@code encoder.onnx} of the
 *                            {@code completedEpochs} epochs are written; null in an older {@code state.json}
 *                            (resume then looks for the files)
 */
public record RunState(@JsonProperty(required = true) int completedEpochs,
                       @JsonProperty(required = true) int batchesDone,
                       @JsonProperty(required = true) long step,
                       @JsonProperty(required = true) String checkpoint,
                       String checkpointSha256,
                       @JsonProperty(required = true) double partialLoss,
                       @JsonProperty(required = true) double partialNegElbo,
                       @JsonProperty(required = true) long partialImages,
                       @JsonProperty(required = true) double partialTrainSeconds,
                       @JsonProperty(required = true) List<EpochMetrics> history,
                       List<Double> recentLosses,
                       Boolean complete) {
    /** Batch losses kept for the divergence rule: the window the next loss is compared with. */
    public static final int RECENT_LOSSES = 50;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public RunState {
        require(completedEpochs >= 0, "completedEpochs is " + completedEpochs + "; it cannot be negative");
        require(batchesDone >= 0, "batchesDone is " + batchesDone + "; it cannot be negative");
        require(step >= 0, "step is " + step + "; it cannot be negative");
        require(step >= (long) completedEpochs + batchesDone, "step is " + step + " but " + epochs(completedEpochs)
                + " and " + batchesDone + " batches are done (every epoch has at least one step)");
        require(checkpoint != null, "it names no checkpoint");
        requirePlainFileName(checkpoint);
        List<String> expected = checkpointNames(completedEpochs, batchesDone);
        require(expected.contains(checkpoint), "it names checkpoint '" + checkpoint + "', but after "
                + epochs(completedEpochs) + " and " + batchesDone + " batches the checkpoint is "
                + String.join(" or ", expected));
        require(checkpointSha256 == null || SHA256.matcher(checkpointSha256).matches(),
                "checkpointSha256 is not 64 lower-case hex digits");
        requireFinite("partialLoss", partialLoss);
        requireFinite("partialNegElbo", partialNegElbo);
        requireFinite("partialTrainSeconds", partialTrainSeconds);
        require(partialTrainSeconds >= 0, "partialTrainSeconds is " + partialTrainSeconds + "; it cannot be negative");
        require(partialImages >= 0, "partialImages is " + partialImages + "; it cannot be negative");
        if (batchesDone == 0) {
            require(partialLoss == 0 && partialNegElbo == 0 && partialImages == 0 && partialTrainSeconds == 0,
                    "no batch of epoch " + (completedEpochs + 1) + " is done, but its partial sums are not 0");
        } else {
            require(partialImages >= batchesDone, "partialImages is " + partialImages + " but " + batchesDone
                    + " batches are done (every batch has at least one image)");
        }
        require(history != null, "it has no history");
        history = List.copyOf(history);
        require(history.size() == completedEpochs, "its history has " + history.size() + " rows but "
                + epochs(completedEpochs) + (completedEpochs == 1 ? " is" : " are") + " completed");
        for (int i = 0; i < history.size(); i++) {
            checkRow(history.get(i), i + 1);
        }
        recentLosses = recentLosses == null ? List.of() : List.copyOf(recentLosses);
        require(recentLosses.size() <= RECENT_LOSSES, "recentLosses has " + recentLosses.size()
                + " values; at most " + RECENT_LOSSES + " are kept");
        for (double loss : recentLosses) {
            requireFinite("a value of recentLosses", loss);
        }
        require(complete == null || !complete || batchesDone == 0,
                "it says the run is complete in the middle of epoch " + (completedEpochs + 1));
    }

    /** The file name of a new run's first checkpoint, made from the seed before any step. */
    public static final String INITIAL_CHECKPOINT = "initial.ckpt";

    /** The state before the first step of a new run; it is never written to {@code state.json}. */
    public static RunState initial() {
        return new RunState(0, 0, 0, INITIAL_CHECKPOINT, null, 0, 0, 0, 0, List.of(), List.of(), false);
    }

    /** This state with its checkpoint's hash. */
    public RunState withCheckpointSha256(String sha256) {
        return new RunState(completedEpochs, batchesDone, step, checkpoint, sha256, partialLoss, partialNegElbo,
                partialImages, partialTrainSeconds, history, recentLosses, complete);
    }

    /** This state marked complete: the models of its epochs are written. */
    public RunState completed() {
        return new RunState(completedEpochs, batchesDone, step, checkpoint, checkpointSha256, partialLoss,
                partialNegElbo, partialImages, partialTrainSeconds, history, recentLosses, true);
    }

    /**
     * The name of the checkpoint written on interruption {@code batchesDone} batches into epoch {@code epoch}
     * (1-based): {@code epoch-EEE-batch-BBBBB.ckpt}.
     */
    public static String checkpointName(int epoch, int batchesDone) {
        return String.format(Locale.ROOT, "epoch-%03d-batch-%05d.ckpt", epoch, batchesDone);
    }

    /** The name of the checkpoint written at the end of epoch {@code epoch} (1-based): {@code epoch-EEE.ckpt}. */
    public static String epochCheckpointName(int epoch) {
        return String.format(Locale.ROOT, "epoch-%03d.ckpt", epoch);
    }

    /** The names the trainer can have given the checkpoint of this point of a run. */
    public static List<String> checkpointNames(int completedEpochs, int batchesDone) {
        List<String> names = new ArrayList<>();
        if (batchesDone == 0) {
            names.add(completedEpochs == 0 ? INITIAL_CHECKPOINT : epochCheckpointName(completedEpochs));
        }
        // Interrupted before batch batchesDone + 1 of the next epoch (also before its first batch).
        names.add(checkpointName(completedEpochs + 1, batchesDone));
        return names;
    }

    /**
     * The checks that need the run's settings and data: the done batches must lie inside an epoch of the
     * current data, cover exactly full batches, and (unless the run's data changed with
     * {@code --allow-data-change}, which may change the number of batches per epoch) add up to {@code step}.
     *
     * @param batchSize        the run's batch size
     * @param batchesPerEpoch  training steps per epoch with the data as it is now
     * @param dataChangedOnce  whether run.json records an allowed data change
     * @throws IllegalArgumentException naming the first value that cannot be right
     */
    public void checkAgainst(int batchSize, int batchesPerEpoch, boolean dataChangedOnce) {
        require(batchesDone < batchesPerEpoch, "batchesDone is " + batchesDone + " but an epoch of this run has "
                + batchesPerEpoch + " batch" + (batchesPerEpoch == 1 ? "" : "es"));
        require(partialImages == (long) batchesDone * batchSize, "partialImages is " + partialImages + " but "
                + batchesDone + " full batches of " + batchSize + " images are done");
        if (!dataChangedOnce) {
            long expected = (long) completedEpochs * batchesPerEpoch + batchesDone;
            require(step == expected, "step is " + step + " but " + epochs(completedEpochs) + " of " + batchesPerEpoch
                    + " batches and " + batchesDone + " more batches make " + expected);
        }
    }

    private static void checkRow(EpochMetrics m, int epoch) {
        require(m != null, "history row " + epoch + " is empty");
        require(m.epoch() == epoch, "history row " + epoch + " is for epoch " + m.epoch());
        double[] values = {m.trainLoss(), m.trainNegElbo(), m.testLoss(), m.testNegElbo(), m.recon(), m.kl(),
                m.imagesPerSecond(), m.seconds(), m.learningRate()};
        for (double v : values) {
            requireFinite("a value of history row " + epoch, v);
        }
        require(m.imagesPerSecond() >= 0 && m.seconds() >= 0 && m.learningRate() > 0, "history row " + epoch
                + " has a negative speed or time, or a learning rate that is not positive");
        require(m.klWeight() == null || Double.isFinite(m.klWeight()) && m.klWeight() >= 0, "history row " + epoch
                + " has a KL weight that is not a number >= 0");
    }

    /** A name that stays inside the folder it is resolved against: no separator, no {@code ..}, no NUL. */
    public static void requirePlainFileName(String name) {
        boolean plain = !name.isEmpty() && name.length() <= 255 && !name.equals(".") && !name.equals("..")
                && name.indexOf('/') < 0 && name.indexOf('\\') < 0 && name.indexOf('\0') < 0;
        require(plain, "checkpoint '" + name.replaceAll("\\p{Cntrl}", "?")
                + "' is not a plain file name inside the run's checkpoints/ folder");
    }

    private static String epochs(int n) {
        return n + (n == 1 ? " epoch" : " epochs");
    }

    private static void requireFinite(String what, double v) {
        require(Double.isFinite(v), what + " is " + v + "; it must be a finite number");
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }
}
