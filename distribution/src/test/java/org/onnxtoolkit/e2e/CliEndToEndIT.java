package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.compiler.checkpoint.CheckpointContents;
import org.onnxtoolkit.compiler.checkpoint.CheckpointReader;
import org.onnxtoolkit.compiler.checkpoint.NamedTensor;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;

/** The CLI end to end on the assembled distribution: a short training, its outputs, resume, bad input. */
class CliEndToEndIT {
    @TempDir
    Path tmp;

    static final String[] SMALL = {"--max-train", "384", "--max-test", "128", "-D", "train-size=400", "-D",
            "test-size=200", "--batch-size", "64"};

    static String[] train(Path out, int epochs, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--out", out.toString(), "--epochs",
                Integer.toString(epochs)));
        args.addAll(List.of(SMALL));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void shortTrainingWritesEveryOutputAndTheDecoderMatchesAJavaDecode() throws IOException {
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run(train(run, 2));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("epoch 2/2"), r.out());
        for (String f : List.of("run.json", "state.json", "metrics.csv", "loss.png", "samples-001.png", "samples-002.png",
                "reconstructions-001.png", "reconstructions-002.png", "decoder.onnx", "encoder.onnx",
                "checkpoints/epoch-002.ckpt", "artifacts/manifest.json")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), "missing " + f);
        }
        assertFalse(Files.exists(run.resolve("checkpoints/epoch-001.ckpt")), "old checkpoints are removed");
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        assertTrue(metrics.get(0).startsWith("epoch,train_loss,"), metrics.get(0));
        for (String col : List.of("epoch", "train_loss", "test_elbo", "recon", "kl", "images_per_s", "seconds")) {
            assertTrue(List.of(metrics.get(0).split(",")).contains(col), "metrics.csv lacks " + col);
        }
        assertEquals(3, metrics.size());
        double elbo1 = Double.parseDouble(metrics.get(1).split(",")[4]);
        double elbo2 = Double.parseDouble(metrics.get(2).split(",")[4]);
        assertTrue(elbo2 < elbo1, "test negative ELBO should improve: " + metrics);
        BufferedImage samples = ImageIO.read(run.resolve("samples-002.png").toFile());
        assertTrue(samples.getWidth() > 8 * 28 && samples.getHeight() > 8 * 28, "8x8 grid of 28x28 images");

        // decoder.onnx in a plain session against a plain-Java decode of the checkpoint's parameters.
        CheckpointContents ckpt = CheckpointReader.read(run.resolve("checkpoints/epoch-002.ckpt"));
        float[] z = new float[5 * 20];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) Math.sin(i * 0.7) * 1.5f;
        }
        float[] onnx;
        try (InferenceSession s = InferenceSession.open(run.resolve("decoder.onnx"), SessionConfig.cpu())) {
            assertEquals(List.of("z"), s.inputNames());
            onnx = s.run(Map.of("z", Tensor.of(z, 5, 20))).get("image").toFloatArray();
        }
        float[] w1 = param(ckpt, "decoder/fc1/weight");
        float[] b1 = param(ckpt, "decoder/fc1/bias");
        float[] w2 = param(ckpt, "decoder/out/weight");
        float[] b2 = param(ckpt, "decoder/out/bias");
        double maxDiff = 0;
        for (int n = 0; n < 5; n++) {
            double[] h = new double[400];
            for (int j = 0; j < 400; j++) {
                double s = b1[j];
                for (int k = 0; k < 20; k++) {
                    s += w1[j * 20 + k] * z[n * 20 + k];
                }
                h[j] = Math.max(0, s);
            }
            for (int p = 0; p < 784; p++) {
                double s = b2[p];
                for (int j = 0; j < 400; j++) {
                    s += w2[p * 400 + j] * h[j];
                }
                double img = 1 / (1 + Math.exp(-s));
                maxDiff = Math.max(maxDiff, Math.abs(img - onnx[n * 784 + p]));
            }
        }
        assertTrue(maxDiff < 1e-5, "decoder.onnx vs Java decode: max diff " + maxDiff);

        Cli.Result sample = Cli.run("sample", "--model", run.resolve("decoder.onnx").toString(), "--n", "16", "--out",
                tmp.resolve("s.png").toString());
        assertEquals(0, sample.exitCode(), sample.toString());
        assertEquals(4 * 28 * 2 + 5 * 2, ImageIO.read(tmp.resolve("s.png").toFile()).getWidth(), "4 columns of 56 pixels, 2-pixel padding");
        Cli.Result recon = Cli.run("reconstruct", "--run", run.toString(), "--n", "8", "--out",
                tmp.resolve("r.png").toString());
        assertEquals(0, recon.exitCode(), recon.toString());
        assertTrue(Files.size(tmp.resolve("r.png")) > 100);
    }

    @Test
    void twoDimensionalLatentGetsAManifoldAndDefaultConfigurationUsesThePrebuiltArtifacts() throws IOException {
        Path run = tmp.resolve("2d");
        Cli.Result r = Cli.run(train(run, 1, "--hidden", "64", "--latent", "2"));
        assertEquals(0, r.exitCode(), r.toString());
        BufferedImage manifold = ImageIO.read(run.resolve("manifold.png").toFile());
        assertEquals(20 * 28, manifold.getWidth(), "20x20 grid of 28x28 decodes");
        Cli.Result prebuilt = Cli.run(train(tmp.resolve("default"), 1, "--verbose"));
        assertEquals(0, prebuilt.exitCode(), prebuilt.toString());
        assertTrue(prebuilt.out().contains("artifacts: prebuilt"), prebuilt.out());
    }

    static float[] param(CheckpointContents c, String name) {
        return c.parameter(name).map(NamedTensor::data).orElseThrow(() -> new AssertionError("no parameter " + name));
    }

    @Test
    void resumeContinuesBitIdentically() throws IOException {
        Path straight = tmp.resolve("straight");
        assertEquals(0, Cli.run(train(straight, 3)).exitCode());
        Path split = tmp.resolve("split");
        assertEquals(0, Cli.run(train(split, 1)).exitCode());
        Cli.Result resumed = Cli.run("train", "--resume", split.toString(), "--epochs", "3");
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("resuming"), resumed.out());
        CheckpointContents a = CheckpointReader.read(straight.resolve("checkpoints/epoch-003.ckpt"));
        CheckpointContents b = CheckpointReader.read(split.resolve("checkpoints/epoch-003.ckpt"));
        assertEquals(a.trainableParameters().size(), b.trainableParameters().size());
        for (NamedTensor t : a.trainableParameters()) {
            assertArrayEquals(t.data(), param(b, t.name()), t.name());
        }
        assertEquals(Files.readAllLines(straight.resolve("metrics.csv")).stream().map(CliEndToEndIT::withoutTimes).toList(),
                Files.readAllLines(split.resolve("metrics.csv")).stream().map(CliEndToEndIT::withoutTimes).toList());
        Cli.Result again = Cli.run("train", "--resume", split.toString(), "--lr", "0.1");
        assertEquals(2, again.exitCode(), again.toString());
        assertTrue(again.err().contains("--lr cannot be changed"), again.err());
    }

    /** metrics.csv without the timing columns (images/s, seconds), which differ between runs. */
    static String withoutTimes(String line) {
        String[] c = line.split(",");
        return String.join(",", List.of(c).subList(0, 7)) + "," + String.join(",", List.of(c).subList(9, c.length));
    }

    @Test
    void divergingLossStopsWithOneLineAndKeepsTheLastCheckpoint() throws IOException {
        Path run = tmp.resolve("nan");
        Cli.Result r = Cli.run(train(run, 2, "--lr", "1e6"));
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("the loss became"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose");
        assertTrue(Files.list(run.resolve("checkpoints")).anyMatch(p -> p.toString().endsWith(".ckpt")));
    }
}
