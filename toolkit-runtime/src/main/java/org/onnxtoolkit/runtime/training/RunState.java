package org.onnxtoolkit.runtime.training;

import java.util.List;

/**
 * Where a run stands ({@code state.json}), written atomically after each checkpoint so that it always
 * names a complete checkpoint.
 *
 * @param completedEpochs epochs fully done
 * @param batchesDone     batches done in the epoch after them (non-zero only after an interruption)
 * @param step            optimizer steps done in the whole run
 * @param checkpoint      file name of the checkpoint in {@code checkpoints/}
 * @param partialLoss     sum over the done batches of the current epoch of loss times batch size
 * @param partialNegElbo  same for the negative ELBO
 * @param partialImages   images in the done batches of the current epoch
 * @param partialTrainSeconds time spent in training steps of the current epoch
 * @param history         metrics of the completed epochs
 */
public record RunState(int completedEpochs, int batchesDone, long step, String checkpoint, double partialLoss,
                       double partialNegElbo, long partialImages, double partialTrainSeconds,
                       List<EpochMetrics> history) {
    public RunState {
        history = List.copyOf(history);
    }
}
