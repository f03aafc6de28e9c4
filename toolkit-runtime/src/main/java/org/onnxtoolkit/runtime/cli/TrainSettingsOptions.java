package org.onnxtoolkit.runtime.cli;

import picocli.CommandLine.Option;

/**
 * {@code train}'s optimisation settings. A setting left out takes the architecture's recommendation, else the
 * toolkit's default ({@link TrainCommand}); all are fixed for the life of a run except {@code --epochs}.
 */
final class TrainSettingsOptions {
    @Option(names = "--epochs", paramLabel = "N", description = "epochs (default: " + TrainCommand.DEFAULT_EPOCHS + ")")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "images per step (default: the architecture's, else 128)")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Adam learning rate (default: the architecture's, else 0.001)")
    Double lr;

    @Option(names = "--kl-weight", paramLabel = "X", description = "weight of the KL term (default: the architecture's, else 1)")
    Double klWeight;

    @Option(names = "--seed", paramLabel = "N", description = "seed of every random choice (default: ${DEFAULT-VALUE})",
            defaultValue = "1")
    long seed;
}
