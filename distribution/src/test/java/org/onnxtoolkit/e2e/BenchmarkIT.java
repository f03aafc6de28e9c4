package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code benchmark --peak --profile}: the FLOP count of the MLP VAE is the hand count, the achieved GFLOP/s
 * follow from it and the step time, the peak lines and fractions are consistent with each other, and ORT's
 * profile is written and summarised with the step's operators.
 */
class BenchmarkIT {

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void printsWorkPeakFractionsAndTheProfile(@TempDir Path tmp) throws IOException {
        Path profiles = tmp.resolve("profiles");
        Cli.Result r = Cli.run("benchmark", "--arch", "mlp-vae", "--batch-size", "64", "--decoder-batch", "128",
                "--steps", "8", "--warmup", "2", "--threads", "1", "--peak", "--profile", profiles.toString());
        assertEquals(0, r.exitCode(), r.toString());
        String out = r.out();
        // 784-400-20: forward 784*400 + 2*400*20 + 20*400 + 400*784 multiply-adds; backward all but the first
        // layer's input gradient (the images need none)
        long forward = 2L * (784 * 400 + 2 * 400 * 20 + 20 * 400 + 400 * 784);
        long backward = 2L * (784 * 400 + 2 * (2 * 400 * 20 + 20 * 400 + 400 * 784));
        assertEquals((forward + backward) / 1e6, number(out, "work \\(products and convolutions\\): ([\\d.]+) MFLOP"), 5e-4);
        assertEquals(forward / 1e6, number(out, "\\(forward ([\\d.]+),"), 5e-4);
        double stepMs = number(out, "train step .*?median ([\\d.]+) ms");
        double trainGflops = number(out, "achieved: training ([\\d.]+) GFLOP/s");
        assertEquals((forward + backward) * 64 / (stepMs / 1000) / 1e9, trainGflops, 0.06 + trainGflops * 1e-3);
        double gemmOneThread = number(out, "through ONNX Runtime: ([\\d.]+) GFLOP/s with 1 thread");
        double gemmConfigured = number(out, "GFLOP/s with 1 thread, ([\\d.]+) GFLOP/s with threads 1");
        assertTrue(gemmOneThread > 1 && gemmConfigured > 1, out);
        double percentOfPeak = number(out, "training step: [\\d.]+ GFLOP/s = (\\d+)% of the GEMM peak");
        assertEquals(100 * trainGflops / gemmConfigured, percentOfPeak, 1.0);
        assertEquals(5, Pattern.compile("alone at batch 64: Gemm ").matcher(out).results().count(),
                "the five linear layers, each timed alone:\n" + out);
        assertTrue(out.contains("profile (ONNX Runtime, per TrainStep, mean of 10 with warm-up)"), out);
        assertTrue(out.contains("profile (ONNX Runtime, per decoder run (batch 128), mean of "), out);
        assertTrue(Pattern.compile("\\n  Gemm +[\\d.]+ ms").matcher(out).find(), out);
        try (Stream<Path> files = Files.walk(profiles)) {
            // one file per profiled session: the training API's three sessions would overwrite one another's
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted()
                    .toList();
            assertEquals(2, names.size(), "the profile files stay for the user to read: " + names);
            assertTrue(names.get(0).startsWith("decoder_") && names.get(1).startsWith("training_"), names.toString());
        }
    }

    @Test
    void aProfileFolderThatIsAFileIsAUsageError(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("taken"), "x");
        Cli.Result r = Cli.run("benchmark", "--steps", "1", "--warmup", "0", "--profile", file.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals("toolkit: --profile " + file + " is a file; give a folder for ONNX Runtime's profile files",
                r.err().lines().findFirst().orElseThrow(), r.toString());
    }
}
