package org.onnxtoolkit.runtime.cli;

import picocli.CommandLine.Option;

/** The options of {@code toolkit evaluate}. */
final class EvaluateOptions {
    /** The most importance samples per image: far more than a likelihood estimate needs. */
    static final int MAX_SAMPLES = 100_000;

    @Option(names = "--importance-samples", paramLabel = "K", defaultValue = "100",
            description = "latent samples per image for the importance-weighted estimate, 1 to " + MAX_SAMPLES
                    + " (default: ${DEFAULT-VALUE}; papers report K = 5000, 1000 is within a few tenths of a nat)")
    int samples;

    @Option(names = "--split", paramLabel = "test|train", defaultValue = "test",
            description = "which images (default: ${DEFAULT-VALUE}; the run's --max-test/--max-train limit applies)")
    String split;

    @Option(names = "--best", description = "evaluate the models of the best epoch, best/encoder.onnx and"
            + " best/decoder.onnx, and write best/evaluation.json")
    boolean best;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the samples' noise (default: the run's seed)")
    Long seed;

    /** @throws UsageException if a value is out of range */
    void check() {
        if (samples < 1 || samples > MAX_SAMPLES) {
            throw new UsageException("--importance-samples must be between 1 and " + MAX_SAMPLES + ", got " + samples);
        }
        if (!split.equals("test") && !split.equals("train")) {
            throw new UsageException("--split must be test or train, got '" + split + "'");
        }
    }
}
