package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.api.spi.Progress;
import org.onnxtoolkit.engine.evaluation.DecoderValues;
import org.onnxtoolkit.engine.evaluation.LikelihoodEstimate;
import org.onnxtoolkit.engine.evaluation.LikelihoodEstimate.Statistic;
import org.onnxtoolkit.engine.evaluation.LikelihoodEstimator;
import org.onnxtoolkit.engine.evaluation.ObservationModel;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.runtime.plugins.PluginLoader;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;

/**
 * {@code evaluate}: the importance-weighted estimate of {@code -log p(x)} lies below the negative ELBO and
 * tightens as K grows (paired over the same images, by many standard errors), K = 1 agrees with the test
 * negative ELBO of metrics.csv, the numbers equal a PyTorch computation (Debian python3-torch and
 * python3-onnx) from the same exported weights, images and noise within 0.05 nats per image, and the CLI writes
 * evaluation.json and refuses bad input with one line.
 */
class EvaluateIT {
    /** Most a per-image value of ours may differ from PyTorch's, nats. */
    static final double TORCH_TOLERANCE = 0.05;
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> REPORT = new TreeMap<>();

    @TempDir
    static Path tmp;
    static Path mlp;
    static Path conv;
    static Path vanilla;
    static PluginRegistry plugins;

    @BeforeAll
    static void train() throws Exception {
        plugins = PluginLoader.load(List.of(Path.of(System.getProperty("toolkit.home"), "plugins")));
        mlp = TinyRun.trainWith(tmp.resolve("mlp"), "--epochs", "2", "--max-test", "200", "-D", "train-size=3000",
                "-D", "test-size=200");
        // The blog's conv VAE (ReLU output, mse-kl): one short epoch is enough for the Gaussian path.
        conv = TinyRun.trainWith(tmp.resolve("conv"), "--arch", "conv-vae", "--epochs", "1", "--max-train", "64",
                "--max-test", "16", "-D", "train-size=64", "-D", "test-size=16");
        // PyTorch-VAE's VanillaVAE: a tanh output, whose Gaussian target is 2x - 1.
        vanilla = TinyRun.trainWith(tmp.resolve("vanilla"), "--arch", "conv-vae", "--preset", "vanilla", "--epochs", "1",
                "--max-train", "32", "--max-test", "8", "-D", "train-size=32", "-D", "test-size=8");
    }

    @AfterAll
    static void close() throws IOException {
        if (plugins != null) {
            plugins.close();
        }
        if (!REPORT.isEmpty()) {
            Path out = Path.of("target", "evaluate-parity.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, "| run | images x K | IW -log p(x) ours | PyTorch | max per-image difference |\n"
                    + "|---|---|---|---|---|\n" + String.join("", REPORT.values()));
        }
    }

    @Test
    void importanceWeightedEstimateIsBelowTheElboAndTightensWithK() throws Exception {
        LikelihoodEstimate k1 = estimate(mlp, 200, 1);
        LikelihoodEstimate k10 = estimate(mlp, 200, 10);
        LikelihoodEstimate k100 = estimate(mlp, 200, 100);
        // Paired over images: each difference must be positive by more than 4 of its standard errors.
        assertClearlyPositive(difference(k100.negativeElbo(), k100.importanceWeighted()), "-ELBO - IW(K=100)");
        assertClearlyPositive(difference(k10.negativeElbo(), k10.importanceWeighted()), "-ELBO - IW(K=10)");
        assertClearlyPositive(difference(k1.importanceWeighted(), k10.importanceWeighted()), "IW(K=1) - IW(K=10)");
        assertClearlyPositive(difference(k10.importanceWeighted(), k100.importanceWeighted()), "IW(K=10) - IW(K=100)");
        // K = 1 is the ELBO with a one-sample KL: it agrees with the analytic-KL ELBO up to noise.
        Statistic gap = Statistic.of(difference(k1.importanceWeighted(), k100.negativeElbo()));
        assertTrue(Math.abs(gap.mean()) < 4 * gap.standardError() + 1e-3, "IW(K=1) - (-ELBO) = " + gap);
        // And with metrics.csv's test negative ELBO (one sample of other noise per image, the eval graph's KL).
        double metrics = lastTestElbo(mlp);
        Statistic noise = Statistic.of(difference(k1.negativeElbo(), k100.negativeElbo()));
        assertTrue(Math.abs(metrics - Statistic.of(k100.negativeElbo()).mean()) < 5 * noise.standardError() + 0.01,
                "metrics.csv test negative ELBO " + metrics + " against " + Statistic.of(k100.negativeElbo()).mean()
                        + " (noise standard error " + noise.standardError() + ")");
        // The first 10 samples of K = 100 are those of K = 10: the noise is drawn per image, not per batch.
        LikelihoodEstimate again = estimate(mlp, 7, 10);
        for (int i = 0; i < 7; i++) {
            assertEquals(k10.importanceWeighted()[i], again.importanceWeighted()[i], 1e-9, "image " + i);
        }
    }

    @Test
    void cliPrintsAndWritesEvaluationJson() throws Exception {
        Cli.Result r = Cli.run("evaluate", "--run", mlp.toString(), "--importance-samples", "10");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode json = JSON.readTree(mlp.resolve(RunDirectory.EVALUATION_JSON).toFile());
        assertEquals("final", json.get("models").asText());
        assertEquals("test", json.get("split").asText());
        assertEquals(200, json.get("images").asInt());
        assertEquals(10, json.get("importanceSamples").asInt());
        assertEquals("bce-kl", json.get("objective").asText());
        LikelihoodEstimate k10 = estimate(mlp, 200, 10);
        assertEquals(Statistic.of(k10.importanceWeighted()).mean(), json.get("negativeLogLikelihood").get("mean").asDouble(),
                1e-9);
        assertEquals(Statistic.of(k10.importanceWeighted()).standardError(),
                json.get("negativeLogLikelihood").get("standardError").asDouble(), 1e-9);
        assertEquals(Statistic.of(k10.negativeElbo()).mean(), json.get("negativeElbo").get("mean").asDouble(), 1e-9);
        String iw = String.format(Locale.ROOT, "%.2f", Statistic.of(k10.importanceWeighted()).mean());
        assertTrue(r.out().contains("-log p(x), IW K=10") && r.out().contains(iw), r.out());
        assertTrue(r.out().contains("evaluating 200 test images with K=10"), "progress is shown: " + r.out());

        Cli.Result train = Cli.run("evaluate", "--run", mlp.toString(), "--split", "train", "--importance-samples", "2");
        assertEquals(0, train.exitCode(), train.toString());
        assertEquals(3000, JSON.readTree(mlp.resolve(RunDirectory.EVALUATION_JSON).toFile()).get("images").asInt());
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path withoutBest = tmp.resolve("without-best");
        Files.createDirectories(withoutBest);
        for (String file : List.of(RunDirectory.RUN_JSON, RunDirectory.DECODER, RunDirectory.ENCODER)) {
            Files.copy(mlp.resolve(file), withoutBest.resolve(file));
        }
        assertOneLine(Cli.run("evaluate", "--run", withoutBest.toString(), "--best"), 2, "has no best/ folder");
        assertOneLine(Cli.run("evaluate", "--run", mlp.resolve(RunDirectory.RUN_JSON).toString()), 2, "not a folder");
        assertOneLine(Cli.run("evaluate", "--run", mlp.toString(), "--split", "validation"), 2, "--split must be test or train");
        assertOneLine(Cli.run("evaluate", "--run", mlp.toString(), "--importance-samples", "0"), 2,
                "--importance-samples must be between 1 and");
        assertOneLine(Cli.run("evaluate", "--run", tmp.resolve("nothing").toString()), 2, "does not exist");
        Path export = tmp.resolve("export");
        assertEquals(0, Cli.run("export", "--run", mlp.toString(), "--out", export.toString()).exitCode());
        assertOneLine(Cli.run("evaluate", "--run", export.toString()), 2, "evaluate needs the run folder itself");
        // --best reads best/ (the best epoch's models; made here from the final ones where training keeps none)
        // and writes its evaluation there.
        Path best = mlp.resolve("best");
        if (!Files.exists(best)) {
            Files.createDirectories(best);
            Files.copy(mlp.resolve(RunDirectory.DECODER), best.resolve(RunDirectory.DECODER));
            Files.copy(mlp.resolve(RunDirectory.ENCODER), best.resolve(RunDirectory.ENCODER));
        }
        Cli.Result r = Cli.run("evaluate", "--run", mlp.toString(), "--best", "--importance-samples", "2");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("best", JSON.readTree(best.resolve(RunDirectory.EVALUATION_JSON).toFile()).get("models").asText());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlp", "conv", "vanilla"})
    void equalsPytorchWithTheSameWeightsAndNoise(String which) throws Exception {
        assumeTrue(torchAvailable(), "Debian python3-torch and python3-onnx are not installed"
                + " (apt-get install python3-torch python3-onnx)");
        Path run = switch (which) {
            case "mlp" -> mlp;
            case "conv" -> conv;
            default -> vanilla;
        };
        int images = which.equals("mlp") ? 50 : 8;
        int samples = which.equals("mlp") ? 64 : 16;
        RunConfig config = RunDirectory.at(run).readRecord().config();
        LikelihoodEstimate ours = estimate(run, images, samples);
        ImageSplit split = testSplit(run);
        ImageShape shape = split.shape();
        int latent = latentSize(run);
        float[] x = new float[images * shape.size()];
        byte[] raw = new byte[shape.size()];
        for (int i = 0; i < images; i++) {
            split.copyImage(i, raw, 0);
            for (int p = 0; p < raw.length; p++) {
                x[i * shape.size() + p] = (raw[p] & 0xFF) / 255f;
            }
        }
        float[] noise = new float[images * samples * latent];
        for (int i = 0; i < images; i++) {
            float[] n = LikelihoodEstimator.noise(config.seed(), i, samples, latent);
            System.arraycopy(n, 0, noise, i * n.length, n.length);
        }
        Path exchange = tmp.resolve("exchange-" + which);
        Map<String, String> settings = new TreeMap<>(Map.of("encoder", run.resolve(RunDirectory.ENCODER).toString(),
                "decoder", run.resolve(RunDirectory.DECODER).toString(), "objective", config.objective()));
        Map<String, float[]> tensors = new LinkedHashMap<>(Map.of("x", x, "noise", noise));
        Map<String, long[]> shapes = Map.of("x", new long[] {images, shape.channels(), shape.height(), shape.width()},
                "noise", new long[] {images, samples, latent});
        PytorchParityIT.writeExchange(exchange, settings, tensors, shapes);
        Map<String, float[]> torch = PytorchParityIT.runPeer(tmp, exchange, 600, "torch_likelihood.py");
        double worst = 0;
        double ourMean = 0;
        double torchMean = 0;
        for (int i = 0; i < images; i++) {
            double iw = torch.get("iw")[i];
            double elbo = torch.get("neg_elbo")[i];
            worst = Math.max(worst, Math.abs(iw - ours.importanceWeighted()[i]));
            assertEquals(iw, ours.importanceWeighted()[i], TORCH_TOLERANCE, "IW -log p(x) of image " + i);
            assertEquals(elbo, ours.negativeElbo()[i], TORCH_TOLERANCE, "negative ELBO of image " + i);
            ourMean += ours.importanceWeighted()[i] / images;
            torchMean += iw / images;
        }
        synchronized (REPORT) {
            REPORT.put(which, String.format(Locale.ROOT, "| %s (%s) | %d x %d | %.4f | %.4f | %.2e |%n", which,
                    config.objective(), images, samples, ourMean, torchMean, worst));
        }
    }

    /** Our estimate on the first {@code images} test images of {@code run}, through the engine's API. */
    static LikelihoodEstimate estimate(Path run, int images, int samples) throws Exception {
        RunConfig config = RunDirectory.at(run).readRecord().config();
        ObservationModel observation = config.objective().equals("bce-kl") ? ObservationModel.BERNOULLI
                : ObservationModel.GAUSSIAN;
        byte[] decoderBytes = Files.readAllBytes(run.resolve(RunDirectory.DECODER));
        DecoderValues decoder = DecoderValues.of(run.resolve(RunDirectory.DECODER),
                OnnxMl.ModelProto.parseFrom(decoderBytes), observation.decoderValue());
        assertEquals(run == mlp ? DecoderValues.SIGMOID : run == vanilla ? DecoderValues.TANH : DecoderValues.RELU,
                decoder.activation(), "the decoder's final activation, found in its graph");
        if (decoder.activation().equals(DecoderValues.TANH)) {
            observation = ObservationModel.GAUSSIAN_TANH_RANGE;
        }
        try (InferenceSession enc = InferenceSession.open(run.resolve(RunDirectory.ENCODER), SessionConfig.cpu());
             InferenceSession dec = InferenceSession.open(decoder.model(), SessionConfig.cpu())) {
            LikelihoodEstimator estimator = new LikelihoodEstimator(in -> enc.run(in).asMap(), in -> dec.run(in).asMap(), decoder.output(), observation,
                    latentSize(run));
            return estimator.estimate(testSplit(run), images, samples, config.seed(), Progress.NONE.start("", images));
        }
    }

    /** The decoder's dimensions: {@code z [N, latent]} and {@code image [N, C, H, W]}. */
    static long[][] decoderDims(Path run) throws Exception {
        OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(run.resolve(RunDirectory.DECODER))).getGraph();
        long[][] dims = new long[2][];
        for (int k = 0; k < 2; k++) {
            OnnxMl.TensorShapeProto s = (k == 0 ? g.getInput(0) : g.getOutput(0)).getType().getTensorType().getShape();
            dims[k] = s.getDimList().stream().mapToLong(OnnxMl.TensorShapeProto.Dimension::getDimValue).toArray();
        }
        return dims;
    }

    static int latentSize(Path run) throws Exception {
        return (int) decoderDims(run)[0][1];
    }

    static ImageSplit testSplit(Path run) throws Exception {
        RunConfig config = RunDirectory.at(run).readRecord().config();
        long[] image = decoderDims(run)[1];
        ImageShape shape = new ImageShape((int) image[1], (int) image[2], (int) image[3]);
        return plugins.dataset(config.dataset()).open(new DatasetOptions(null, shape, config.seed(),
                config.datasetOptions())).test();
    }

    static double lastTestElbo(Path run) throws Exception {
        List<String> lines = Files.readAllLines(run.resolve(RunDirectory.METRICS_CSV));
        List<String> header = List.of(lines.get(0).split(","));
        return Double.parseDouble(lines.get(lines.size() - 1).split(",")[header.indexOf("test_elbo")]);
    }

    static double[] difference(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    static void assertClearlyPositive(double[] differences, String what) {
        Statistic s = Statistic.of(differences);
        assertTrue(s.mean() > 4 * s.standardError() && s.mean() > 0, what + ": mean " + s.mean() + ", standard error "
                + s.standardError());
    }

    static void assertOneLine(Cli.Result r, int exit, String text) {
        assertEquals(exit, r.exitCode(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertTrue(r.err().contains(text), r.toString());
    }

    static boolean torchAvailable() throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, onnx").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
