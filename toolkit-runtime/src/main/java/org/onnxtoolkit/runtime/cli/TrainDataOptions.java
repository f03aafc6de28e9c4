package org.onnxtoolkit.runtime.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code train}'s options about the data: where it lives, how pictures are prepared, how much of it is used. */
final class TrainDataOptions {
    @Option(names = "--data-dir", paramLabel = "PATH", description = "folder holding the dataset's files")
    Path dataDir;

    @Option(names = {"-D", "--dataset-option"}, paramLabel = "KEY=VALUE",
            description = "a dataset option, repeatable; ./toolkit plugins DATASET lists them (for example ./toolkit"
                    + " plugins shapes: train-size, test-size)")
    Map<String, String> datasetOptions = new LinkedHashMap<>();

    @Option(names = "--image-size", paramLabel = "N",
            description = "image side: an architecture option where the architecture has one (conv-vae), else a dataset option")
    Integer imageSize;

    @Option(names = "--crop", paramLabel = "N", description = "centre crop before resizing (image-folder, celeba)")
    Integer crop;

    @Option(names = "--skip-corrupt", description = "image-folder, celeba: skip images that cannot be decoded (counted in"
            + " the run's report) instead of stopping")
    boolean skipCorrupt;

    @picocli.CommandLine.ArgGroup(validate = false)
    ConditionalOption conditional = new ConditionalOption();

    @Option(names = "--max-train", paramLabel = "N", description = "use at most N training images (default: all)",
            defaultValue = "0")
    int maxTrain;

    @Option(names = "--max-test", paramLabel = "N", description = "use at most N test images (default: all)",
            defaultValue = "0")
    int maxTest;
}
