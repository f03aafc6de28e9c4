package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.compiler.checkpoint.CheckpointContents;
import org.onnxtoolkit.compiler.checkpoint.CheckpointReader;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.training.JavaReference;

/**
 * A short conv VAE training through the CLI: the loss falls, and the exported decoder (batch norm in
 * inference form with the running statistics) reproduces a plain-Java decode of the checkpoint.
 */
class ConvVaeIT {
    @TempDir
    Path tmp;

    @Test
    void shortConvTrainingLearnsAndTheDecoderMatchesAJavaDecode() throws IOException {
        Path run = tmp.resolve("conv");
        Cli.Result r = Cli.run("train", "--arch", "conv-vae", "-O", "image-size=32", "-O", "channels=8,16", "-O", "latent=8",
                "--epochs", "3", "--max-train", "256", "--max-test", "64", "-D", "train-size=300", "-D", "test-size=100",
                "--batch-size", "32", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("conv-vae on shapes (3x32x32"), r.out());
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        double first = Double.parseDouble(metrics.get(1).split(",")[1]);
        double last = Double.parseDouble(metrics.get(3).split(",")[1]);
        assertTrue(last < first, "training loss should fall: " + metrics);

        CheckpointContents c = CheckpointReader.read(run.resolve("checkpoints/epoch-003.ckpt"));
        int n = 3;
        int latent = 8;
        float[] z = new float[n * latent];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) Math.cos(1.3 * i);
        }
        float[] onnx;
        try (InferenceSession s = InferenceSession.open(run.resolve("decoder.onnx"), SessionConfig.cpu())) {
            onnx = s.run(Map.of("z", Tensor.of(z, n, latent))).get("image").toFloatArray();
        }
        double[] h = JavaReference.linear(JavaReference.toDouble(z), n, latent, p(c, "decoder/input/weight"),
                p(c, "decoder/input/bias"), 16 * 8 * 8);
        h = JavaReference.convTranspose2d(h, n, 16, 8, 8, p(c, "decoder/block1/deconv/weight"),
                p(c, "decoder/block1/deconv/bias"), 8, 3, 2, 1, 1);
        h = JavaReference.relu(bn(c, "decoder/block1/bn", h, n, 8, 16 * 16));
        h = JavaReference.convTranspose2d(h, n, 8, 16, 16, p(c, "decoder/final/deconv/weight"),
                p(c, "decoder/final/deconv/bias"), 8, 3, 2, 1, 1);
        h = JavaReference.relu(bn(c, "decoder/final/bn", h, n, 8, 32 * 32));
        h = JavaReference.conv2d(h, n, 8, 32, 32, p(c, "decoder/final/conv/weight"), p(c, "decoder/final/conv/bias"), 3, 3,
                1, 1);
        assertEquals(h.length, onnx.length);
        double maxDiff = 0;
        for (int i = 0; i < h.length; i++) {
            double image = Math.min(Math.max(h[i], 0), 1); // ReLU output, clamped to [0, 1] for images
            maxDiff = Math.max(maxDiff, Math.abs(image - onnx[i]));
        }
        assertTrue(maxDiff < 1e-4, "decoder.onnx vs Java decode: max diff " + maxDiff);
    }

    private static double[] p(CheckpointContents c, String name) {
        return JavaReference.toDouble(CliEndToEndIT.param(c, name));
    }

    private static double[] bn(CheckpointContents c, String prefix, double[] x, int n, int ch, int hw) {
        return JavaReference.batchNormInference(x, n, ch, hw, p(c, prefix + "/weight"), p(c, prefix + "/bias"),
                p(c, prefix + "/running_mean"), p(c, prefix + "/running_var"), 1e-5);
    }
}
