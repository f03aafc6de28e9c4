package org.onnxtoolkit.api.events;

import java.nio.file.Path;

/**
 * Every epoch is trained and the run's models are written; the run is complete.
 *
 * @param runDirectory the run folder
 * @param epochs       epochs trained
 * @param last         the last epoch's measurements
 * @param decoder      the exported {@code decoder.onnx}
 * @param encoder      the exported {@code encoder.onnx}
 */
public record RunFinished(Path runDirectory, int epochs, EpochMetrics last, Path decoder, Path encoder)
        implements TrainingEvent {
}
