package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --arch onnx-vae}: the VAE of PyTorch's MNIST example (784-400-20, sigmoid output), exported from
 * PyTorch as an encoder and a decoder, trains on Fashion-MNIST with the toolkit's objective, dataset, run folder
 * and export, and reaches the test negative ELBO of the built-in {@code mlp-vae} of the same shape within
 * {@value #NATS} nat (the two start from different random weights: PyTorch's draw and the toolkit's). Epochs:
 * the system property {@code onnxvae.epochs}, 5 by default.
 */
class OnnxVaeIT {
    static final double NATS = 1.0;
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path tmp;

    @Test
    void exportedVaeTrainsAsFarAsTheBuiltInOne() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "needs " + PYTHON + " with Debian's python3-torch");
        Assumptions.assumeTrue(OnnxImportIT.python("-c", "import torch").exitCode() == 0,
                "needs Debian's python3-torch for " + PYTHON);
        Assumptions.assumeTrue(Files.isDirectory(FASHION), "needs Debian's dataset-fashion-mnist in " + FASHION);
        Path script = tmp.resolve("fashion_vae.py");
        try (InputStream s = OnnxVaeIT.class.getResourceAsStream("/onnximport/fashion_vae.py")) {
            Files.copy(s, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Cli.Result exported = OnnxImportIT.python(script.toString(), tmp.toString());
        assertEquals(0, exported.exitCode(), exported.toString());
        String epochs = System.getProperty("onnxvae.epochs", "5");

        long t0 = System.nanoTime();
        Path onnx = tmp.resolve("onnx-run");
        Cli.Result a = Cli.run("train", "--arch", "onnx-vae", "-O", "encoder=" + tmp.resolve("encoder.onnx"),
                "-O", "decoder=" + tmp.resolve("decoder.onnx"), "--dataset", "fashion-mnist", "--epochs", epochs,
                "--seed", "1", "--out", onnx.toString());
        assertEquals(0, a.exitCode(), a.toString());
        long t1 = System.nanoTime();
        Path builtIn = tmp.resolve("mlp-run");
        Cli.Result b = Cli.run("train", "--arch", "mlp-vae", "--dataset", "fashion-mnist", "--epochs", epochs,
                "--seed", "1", "--out", builtIn.toString());
        assertEquals(0, b.exitCode(), b.toString());
        long t2 = System.nanoTime();

        for (String f : List.of("decoder.onnx", "encoder.onnx", "metrics.csv", "run.json")) {
            assertTrue(Files.exists(onnx.resolve(f)), f);
        }
        assertTrue(Files.readString(onnx.resolve("run.json")).contains("onnx-vae"));
        double ours = lastTestElbo(onnx);
        double theirs = lastTestElbo(builtIn);
        String line = String.format(Locale.ROOT, "onnx-vae (PyTorch's 784-400-20 exported) vs mlp-vae on Fashion-MNIST,"
                + " %s epochs: test negative ELBO %.3f vs %.3f nats (difference %.3f); %.0f s vs %.0f s", epochs, ours,
                theirs, ours - theirs, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        Path report = Path.of("target", "onnx-vae.md");
        Files.createDirectories(report.getParent());
        Files.writeString(report, line + "\n");
        assertTrue(Math.abs(ours - theirs) <= NATS, line);
    }

    /**
     * A missing option or file is a usage error (exit 2), a damaged model a failure (exit 1); one line each (a
     * failure adds the usual hint to run with --verbose).
     */
    @Test
    void missingAndDamagedModelsAreOneLine() throws Exception {
        Cli.Result none = Cli.run("train", "--arch", "onnx-vae", "--out", tmp.resolve("r1").toString());
        assertEquals(2, none.exitCode(), none.toString());
        assertTrue(none.err().strip().lines().count() == 1 && none.err().contains("onnx-vae needs -O encoder=FILE.onnx"),
                none.toString());
        Cli.Result missing = Cli.run("train", "--arch", "onnx-vae", "-O", "encoder=" + tmp.resolve("no.onnx"), "-O",
                "decoder=" + tmp.resolve("no.onnx"), "--out", tmp.resolve("r2").toString());
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("no.onnx does not exist"), missing.toString());
        Path damaged = Files.write(tmp.resolve("damaged.onnx"), new byte[] {8, 8, 18, 3, 'x'});
        Cli.Result bad = Cli.run("train", "--arch", "onnx-vae", "-O", "encoder=" + damaged, "-O",
                "decoder=" + damaged, "--out", tmp.resolve("r3").toString());
        assertEquals(1, bad.exitCode(), bad.toString());
        List<String> lines = bad.err().strip().lines().toList();
        assertTrue(lines.get(0).contains("damaged.onnx is not a readable ONNX model")
                && (lines.size() == 1 || lines.size() == 2 && lines.get(1).contains("--verbose")), bad.toString());
    }

    /** The test negative ELBO (nats per image) of the last epoch in a run's metrics.csv. */
    static double lastTestElbo(Path run) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        List<String> header = List.of(lines.get(0).split(","));
        String[] last = lines.get(lines.size() - 1).split(",");
        return Double.parseDouble(last[header.indexOf("test_elbo")]);
    }
}
