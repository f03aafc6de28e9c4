package org.onnxtoolkit.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.autodiff.GradientKernels;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.compiler.model.ArtifactResolver;
import org.onnxtoolkit.compiler.model.GraphFlops;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.Device;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.OrtException;
import org.onnxtoolkit.engine.ort.OutOfMemory;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.ort.TrainingSession;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;
import org.onnxtoolkit.engine.training.ModelExport;
import org.onnxtoolkit.engine.training.Seeds;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code toolkit benchmark}: times training steps ({@code LazyResetGrad + TrainStep + OptimizerStep}, with
 * the batch already in memory) and decoder inference for a configuration, on random images.
 */
@Command(name = "benchmark", header = "Time training steps and decoding on this machine.",
        mixinStandardHelpOptions = true,
        description = "Time training steps and decoder inference of an architecture on random data.",
        footer = {"", "Examples:", "  ./toolkit benchmark --arch mlp-vae --batch-size 128 --threads 1",
                "  ./toolkit benchmark --arch conv-vae --preset celeba64 --batch-size 64 --peak",
                "  ./toolkit benchmark --arch mlp-vae --profile /tmp/ort-profile",
                "  ./toolkit benchmark --arch mlp-vae --kernels STANDARD_ONNX"})
final class BenchmarkCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ModelOptions model;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128", description = "training batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--decoder-batch", paramLabel = "N", defaultValue = "1024", description = "decoder batch (default: ${DEFAULT-VALUE})")
    int decoderBatch;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "100", description = "timed steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "10", description = "untimed steps first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "intra-op threads; 0 = ORT default, one per physical core (default: ${DEFAULT-VALUE})")
    int threads;

    @Mixin
    DeviceOption device;

    @Option(names = "--kernels", paramLabel = "KIND", defaultValue = "ORT_FUSED",
            description = "activation gradient kernels: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    GradientKernels kernels;

    @Option(names = "--peak", description = "also measure this machine's float32 GEMM peak and each product or"
            + " convolution of the model alone through ONNX Runtime, and print the step's fraction of both")
    boolean peak;

    @Option(names = "--profile", paramLabel = "DIR", description = "write ONNX Runtime's per-operator profile of"
            + " the timed steps to DIR and print where a step's time goes, by operator")
    Path profileDir;

    @Option(names = "--spin", paramLabel = "WHEN", defaultValue = "AUTO", description = "whether ORT's worker"
            + " threads spin while waiting: ${COMPLETION-CANDIDATES}; auto spins when the cores were otherwise idle"
            + " at start (default: ${DEFAULT-VALUE})")
    SessionConfig.Spinning spin;

    /** This run's profile folder under {@link #profileDir}; null when not profiling. */
    private Path profileRun;

    @Override
    public Integer call() throws IOException {
        if (steps < 1 || warmup < 0 || batchSize < 1 || decoderBatch < 1) {
            throw new UsageException("--steps, --batch-size and --decoder-batch must be positive, --warmup >= 0");
        }
        if (profileDir != null && Files.exists(profileDir) && !Files.isDirectory(profileDir)) {
            throw new UsageException("--profile " + profileDir + " is a file; give a folder for ONNX Runtime's"
                    + " profile files");
        }
        if (peak && Devices.parse(device.text) instanceof Device.Cuda cuda) {
            // Seen on an H200: its "peak" came out at 952 GFLOP/s and the step at 161% of it, because each timed
            // run copies its inputs from host memory; the numbers would mislead.
            throw new UsageException("--peak measures with inputs in host memory, so on " + cuda
                    + " it would time the copies, not the kernels; use --profile DIR for per-operator times on a GPU");
        }
        SessionConfig config = SessionConfig.cpu().withIntraOpThreads(threads).withDevice(device.checked())
                .withSpinning(spin);
        try (PluginRegistry plugins = Toolkit.plugins(common.pluginsDir)) {
            return measure(model.graphs(plugins), config);
        }
    }

    /** Runs the timings; the plugins stay loaded meanwhile (the graphs call into them). */
    private int measure(ModelGraphs graphs, SessionConfig config) throws IOException {
        TrainingArtifacts artifacts = ArtifactResolver.compile(graphs, kernels);
        ImageShape shape = graphs.model().imageShape();
        SplittableRandom rng = new SplittableRandom(1);
        float[] x = new float[batchSize * shape.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(256) / 255f;
        }
        Tensor images = Tensor.of(x, batchSize, shape.channels(), shape.height(), shape.width());
        PrintWriter out = spec.commandLine().getOut();
        double[] stepMs = new double[steps];
        double[] optimizerMs = new double[steps];
        Map<String, float[]> params = new LinkedHashMap<>();
        Path ckpt = Files.createTempFile("toolkit-bench", ".ckpt");
        try {
            AtomicFiles.write(ckpt, artifacts.initialCheckpoint(1));
            try (TrainingSession s = TrainingSession.open(ckpt, artifacts.trainingModel(), artifacts.evalModel(),
                    artifacts.optimizerModel(), config)) {
                s.setLearningRate(1e-3f);
                Map<String, Tensor> feeds = feeds(s, artifacts, images, rng);
                try {
                    for (int i = 0; i < warmup + steps; i++) {
                        long t0 = System.nanoTime();
                        s.lazyResetGrad();
                        s.trainStep(feeds);
                        long t1 = System.nanoTime();
                        s.optimizerStep();
                        if (i >= warmup) {
                            stepMs[i - warmup] = (System.nanoTime() - t0) / 1e6;
                            optimizerMs[i - warmup] = (System.nanoTime() - t1) / 1e6;
                        }
                    }
                } catch (OrtException e) {
                    throw outOfMemoryOr(e, config.device(), "a training step", batchSize, "--batch-size");
                }
                for (var p : graphs.decoderGraph().parameters()) {
                    params.put(p.name(), s.parameter(p.name()).toFloatArray());
                }
            }
            if (profileDir != null) {
                profileTrainSteps(ckpt, artifacts, images, rng, config);
            }
        } finally {
            Files.deleteIfExists(ckpt);
        }
        double[] sorted = stepMs.clone();
        Arrays.sort(sorted);
        double median = sorted[steps / 2];
        double mean = Arrays.stream(stepMs).average().orElse(0);

        byte[] decoder = ModelExport.inferenceModel(graphs.decoderGraph(), params, Map.of(), "decoder");
        float[] z = new float[decoderBatch * graphs.model().latentSize()];
        Seeds.gaussians(z, new SplittableRandom(2));
        Tensor zt = Tensor.of(z, decoderBatch, graphs.model().latentSize());
        double[] decodeMs = new double[Math.max(3, Math.min(steps, 20))];
        SessionConfig decoderConfig = profileRun == null ? config : config.withProfile(profileRun.resolve("decoder"));
        try (InferenceSession s = InferenceSession.open(decoder, decoderConfig)) {
            for (int i = 0; i < 3; i++) {
                s.run(Map.of(ModelGraphs.Z, zt));
            }
            for (int i = 0; i < decodeMs.length; i++) {
                long t0 = System.nanoTime();
                s.run(Map.of(ModelGraphs.Z, zt));
                decodeMs[i] = (System.nanoTime() - t0) / 1e6;
            }
        } catch (OrtException e) {
            throw outOfMemoryOr(e, config.device(), "decoding", decoderBatch, "--decoder-batch");
        }
        Arrays.sort(decodeMs);
        double decodeMedian = decodeMs[decodeMs.length / 2];
        out.printf(Locale.ROOT, "%s %s batch %d, %s, threads %d, kernels %s%n", model.arch, graphs.configuration(), batchSize,
                device.text, threads, kernels);
        Arrays.sort(optimizerMs);
        out.printf(Locale.ROOT, "train step (LazyResetGrad+TrainStep+OptimizerStep): median %.3f ms, mean %.3f ms,"
                + " %.0f images/s (OptimizerStep alone: median %.3f ms)%n", median, mean, batchSize * 1000 / median,
                optimizerMs[steps / 2]);
        out.printf(Locale.ROOT, "decoder (batch %d): median %.3f ms, %.0f images/s%n", decoderBatch, decodeMedian,
                decoderBatch * 1000 / decodeMedian);
        GraphFlops work = GraphFlops.of(graphs.objectiveGraph(Phase.TRAINING));
        GraphFlops decoding = GraphFlops.of(graphs.decoderGraph());
        double stepGflops = work.training() * (double) batchSize / (median / 1000) / 1e9;
        double decodeGflops = decoding.forward() * (double) decoderBatch / (decodeMedian / 1000) / 1e9;
        out.printf(Locale.ROOT, "work (products and convolutions): %.3f MFLOP per image per training step (forward"
                + " %.3f, backward %.3f), decoder %.3f MFLOP per image; achieved: training %.1f GFLOP/s, decoder"
                + " %.1f GFLOP/s%n", work.training() / 1e6, work.forward() / 1e6, work.backward() / 1e6,
                decoding.forward() / 1e6, stepGflops, decodeGflops);
        if (peak) {
            printPeak(out, graphs, config, stepGflops);
        }
        if (profileDir != null) {
            OrtProfile.summarise(profileRun, "training", warmup + steps).print(out, "TrainStep");
            OrtProfile.summarise(profileRun, "decoder", 3 + decodeMs.length).print(out, "decoder run (batch "
                    + decoderBatch + ")");
            out.printf(Locale.ROOT, "profile files: %s%n", profileRun);
        }
        return ToolkitCli.OK;
    }

    /**
     * Runs {@code warmup + steps} training steps again in a profiled session that holds the training model only.
     *
     * <p>Why a session of its own: ORT names a profile file by the session options' prefix and the time to the
     * second, and the training API opens the training, evaluation and optimizer models as three sessions of the
     * same options. Each opens that file when it starts and writes its events from the start of the file when it
     * closes, so the three overwrite each other: the optimizer's events were lost, and where the sessions
     * started in different seconds a file was left as an unreadable mixture (seen in CI). With one session per
     * prefix each file is whole; the optimizer's time is the "OptimizerStep alone" of the timed steps, which are
     * also no longer slowed by the profiler.
     */
    private void profileTrainSteps(Path ckpt, TrainingArtifacts artifacts, Tensor images, SplittableRandom rng,
            SessionConfig config) throws IOException {
        // a fresh folder per run, so that the summary reads this run's files only
        Files.createDirectories(profileDir);
        profileRun = Files.createTempDirectory(profileDir, "benchmark-");
        try (TrainingSession s = TrainingSession.open(ckpt, artifacts.trainingModel(), null, null,
                config.withProfile(profileRun.resolve("training")))) {
            Map<String, Tensor> feeds = feeds(s, artifacts, images, rng);
            try {
                for (int i = 0; i < warmup + steps; i++) {
                    s.lazyResetGrad();
                    s.trainStep(feeds);
                }
            } catch (OrtException e) {
                throw outOfMemoryOr(e, config.device(), "a training step", batchSize, "--batch-size");
            }
        }
    }

    /** Measures the GEMM peak (1 thread and the configured threads) and the model's products alone. */
    private void printPeak(PrintWriter out, ModelGraphs graphs, SessionConfig config, double stepGflops) {
        PeakThroughput.Timing one = PeakThroughput.squareGemm(config.withIntraOpThreads(1), 1.0);
        PeakThroughput.Timing all = PeakThroughput.squareGemm(config, 1.0);
        List<PeakThroughput.Timing> layers = PeakThroughput.products(graphs.objectiveGraph(Phase.TRAINING), batchSize,
                config, 0.3);
        double layersGflops = PeakThroughput.combinedGflops(layers);
        out.printf(Locale.ROOT, "peak: %s through ONNX Runtime: %.1f GFLOP/s with 1 thread, %.1f GFLOP/s with"
                + " threads %d%n", one.label(), one.gflops(), all.gflops(), threads);
        for (PeakThroughput.Timing t : layers) {
            out.printf(Locale.ROOT, "  alone at batch %d: %-60s %8.3f ms %7.1f GFLOP/s%n", batchSize, t.label(),
                    t.seconds() * 1000, t.gflops());
        }
        out.printf(Locale.ROOT, "peak: the model's products and convolutions alone, forward, one after the other:"
                + " %.1f GFLOP/s%n", layersGflops);
        PeakThroughput.Timing fastest = layers.stream().max(java.util.Comparator.comparingDouble(
                PeakThroughput.Timing::gflops)).orElseThrow();
        out.printf(Locale.ROOT, "peak: the fastest of them alone: %.1f GFLOP/s (%s)%n", fastest.gflops(),
                fastest.label());
        out.printf(Locale.ROOT, "training step: %.1f GFLOP/s = %.0f%% of the GEMM peak, %.0f%% of the model's"
                + " products alone, %.0f%% of the fastest%n", stepGflops, 100 * stepGflops / all.gflops(),
                100 * stepGflops / layersGflops, 100 * stepGflops / fastest.gflops());
    }

    /** An out-of-memory failure becomes one line naming the batch size; anything else is returned unchanged. */
    static RuntimeException outOfMemoryOr(OrtException e, Device device, String during, int batch, String option) {
        if (!OutOfMemory.isOutOfMemory(e)) {
            return e;
        }
        return new IllegalStateException(OutOfMemory.advice(device, during, batch, option, e), e);
    }

    /** The training model's inputs by name, in its input order (the order the noise is drawn in). */
    private static Map<String, Tensor> feeds(TrainingSession s, TrainingArtifacts a, Tensor images,
                                             SplittableRandom rng) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (String name : s.trainingInputNames()) {
            var e = a.manifest().trainingInputs().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
            if (name.equals(ModelGraphs.X)) {
                in.put(name, images);
            } else if (name.equals(ModelGraphs.KL_WEIGHT)) {
                in.put(name, Tensor.scalar(1f));
            } else {
                long[] shape = e.shape().clone();
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    if (shape[i] < 0) {
                        shape[i] = images.dim(0);
                    }
                    n *= shape[i];
                }
                float[] v = new float[(int) n];
                Seeds.gaussians(v, rng);
                in.put(name, Tensor.of(v, shape));
            }
        }
        return in;
    }
}
