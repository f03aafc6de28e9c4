package org.onnxtoolkit.api.events;

import java.nio.file.Path;

/**
 * A run starts training, or continues after {@code --resume}.
 *
 * @param runDirectory the run folder
 * @param architecture the architecture plugin's id
 * @param dataset      the dataset plugin's id
 * @param objective    the objective plugin's id
 * @param epochs       the epoch the run ends after
 * @param firstEpoch   the 1-based epoch training starts (or continues) in
 * @param firstBatch   the 1-based batch of {@code firstEpoch} it starts with (1 unless resumed mid-epoch)
 * @param resumed      whether the run continues an earlier process's run
 */
public record RunStarted(Path runDirectory, String architecture, String dataset, String objective, int epochs,
                         int firstEpoch, int firstBatch, boolean resumed) implements TrainingEvent {
}
