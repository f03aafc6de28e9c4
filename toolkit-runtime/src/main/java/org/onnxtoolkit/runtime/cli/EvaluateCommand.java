package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.api.spi.Progress;
import org.onnxtoolkit.compiler.io.FileKind;
import org.onnxtoolkit.engine.evaluation.DecoderValues;
import org.onnxtoolkit.engine.evaluation.LikelihoodEstimate;
import org.onnxtoolkit.engine.evaluation.LikelihoodEstimator;
import org.onnxtoolkit.engine.evaluation.ObservationModel;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.run.EvaluationRecord;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.run.RunDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code toolkit evaluate}: the negative ELBO and the importance-weighted estimate of {@code -log p(x)} of a run's
 * exported models on its dataset, printed and written to {@code evaluation.json}.
 */
@Command(name = "evaluate", header = "Estimate -log p(x) of a run's models on its dataset.",
        mixinStandardHelpOptions = true,
        description = {"Estimate -log p(x) of a run's models on its test (or training) images: the negative ELBO and"
                + " the importance-weighted bound (Burda et al. 2016) with K latent samples per image, in nats per"
                + " image with standard errors over images. Uses encoder.onnx and decoder.onnx and the likelihood of"
                + " the run's objective (bce-kl: Bernoulli from the logits; mse-kl: Gaussian with unit variance);"
                + " writes evaluation.json into the run folder."},
        footer = {"", "Example:", "  ./toolkit evaluate --run runs/<run> --importance-samples 1000"})
final class EvaluateCommand implements Callable<Integer> {
    /** The folder a run keeps the models of its best epoch in. */
    static final String BEST = RunDirectory.BEST;

    @Mixin
    CommonOptions common;

    @Mixin
    RunFolderOption runFolder;

    @Mixin
    EvaluateOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        options.check();
        PrintWriter out = spec.commandLine().getOut();
        Path run = runFolder.dir;
        FileKind kind = FileKind.of(run, true);
        if (kind == FileKind.MISSING) {
            throw new UsageException("run folder " + run + " does not exist");
        }
        if (kind != FileKind.DIRECTORY) {
            throw new UsageException("--run " + run + " is " + kind.description() + ", not a folder");
        }
        Path modelsDir = options.best ? run.resolve(BEST) : run;
        if (options.best && FileKind.of(modelsDir, true) == FileKind.MISSING) {
            throw new UsageException("run " + run + " has no " + BEST + "/ folder (the models of its best epoch);"
                    + " evaluate its final models without --best");
        }
        RunConfig config = RunDataset.config(run, "evaluate");
        RunFolder folder = RunFolder.open(modelsDir, true);
        ObservationModel observation = switch (config.objective()) {
            case "bce-kl" -> ObservationModel.BERNOULLI;
            case "mse-kl" -> ObservationModel.GAUSSIAN;
            default -> throw new UsageException("evaluate knows the likelihoods of bce-kl and mse-kl; run " + run
                    + " was trained with the objective " + config.objective());
        };
        DecoderModel decoderModel = folder.decoder();
        DecoderValues decoder = DecoderValues.of(decoderModel.file(),
                ModelFiles.parse(decoderModel.file(), decoderModel.bytes()), observation.decoderValue());
        if (observation == ObservationModel.GAUSSIAN && decoder.activation().equals(DecoderValues.TANH)) {
            observation = ObservationModel.GAUSSIAN_TANH_RANGE; // mse-kl's target is 2x - 1 for a tanh output
        }
        DatasetSplits splits = RunDataset.open(common, config, decoderModel.imageShape(), out);
        boolean test = options.split.equals("test");
        ImageSplit split = test ? splits.test() : splits.train();
        int count = RunDataset.limit(split.size(), test ? config.maxTestImages() : config.maxTrainImages());
        long seed = options.seed != null ? options.seed : config.seed();
        long started = System.nanoTime();
        LikelihoodEstimate estimate;
        try (InferenceSession enc = ModelFiles.open(folder.encoderFile(), folder.encoderBytes(), SessionConfig.cpu());
             InferenceSession dec = ModelFiles.open(decoderModel.file(), decoder.model(), SessionConfig.cpu());
             Progress.Task task = new ConsoleDatasetProgress(out).start(String.format(Locale.ROOT,
                     "evaluating %d %s images with K=%d", count, options.split, options.samples), count)) {
            LikelihoodEstimator estimator = new LikelihoodEstimator(
                    in -> ModelFiles.run(folder.encoderFile(), enc, in).asMap(),
                    in -> ModelFiles.run(decoderModel.file(), dec, in).asMap(),
                    decoder.output(), observation, decoderModel.latentSize(), decoderModel.conditional());
            estimate = estimator.estimate(split, count, options.samples, seed, task);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        EvaluationRecord record = EvaluationRecord.of(options.best ? BEST : "final", options.split, seed,
                config.objective(), estimate, seconds);
        RunDirectory target = RunDirectory.at(modelsDir);
        target.writeEvaluation(record);
        out.println(String.format(Locale.ROOT, "%s models of %s, %d %s images, K=%d importance samples (%s, seed %d),"
                        + " %s", options.best ? "best" : "final", run, count, options.split, options.samples,
                config.objective(), seed, ConsoleDatasetProgress.duration(seconds)));
        out.println(String.format(Locale.ROOT, "  negative ELBO        %10.2f nats/image (standard error %.2f; recon %.2f,"
                        + " kl %.2f)", record.negativeElbo().mean(), record.negativeElbo().standardError(),
                record.reconstruction().mean(), record.kl().mean()));
        out.println(String.format(Locale.ROOT, "  -log p(x), IW K=%-4d %10.2f nats/image (standard error %.2f)",
                options.samples, record.negativeLogLikelihood().mean(), record.negativeLogLikelihood().standardError()));
        out.println("wrote " + target.file(RunDirectory.EVALUATION_JSON));
        return ToolkitCli.OK;
    }
}
