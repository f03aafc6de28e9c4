package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;

/** A run trained for one short epoch (about a second), and the Java decode the other runtimes are held to. */
final class TinyRun {
    static final String[] SMALL = {"--epochs", "1", "--max-train", "256", "--max-test", "64", "-D", "train-size=300",
            "-D", "test-size=100"};

    private TinyRun() {
    }

    /** Trains the default mlp-vae (latent 20, 1x28x28) on shapes into {@code out}, plus {@code extra} options. */
    static Path train(Path out, String... extra) {
        List<String> options = new ArrayList<>(List.of(SMALL));
        options.addAll(List.of(extra));
        return trainWith(out, options.toArray(String[]::new));
    }

    /** Trains the default mlp-vae on shapes into {@code out} with exactly {@code options}. */
    static Path trainWith(Path out, String... options) {
        List<String> args = new ArrayList<>(List.of("train", "--out", out.toString()));
        args.addAll(List.of(options));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.toString());
        return out;
    }

    /** The classes of {@link #labelledFolder}, as image-folder sorts its subfolders. */
    static final List<String> CLASSES = List.of("box", "column", "row");

    /**
     * An image folder with class subfolders {@code box/}, {@code column/} and {@code row/}, {@code perClass} 16x16
     * PNGs each: a bright square outline, a vertical bar or a horizontal bar at a random place on a dark
     * background; the class means differ.
     */
    static Path labelledFolder(Path dir, int perClass, long seed) throws java.io.IOException {
        Random random = new Random(seed);
        for (String name : CLASSES) {
            Path classDir = java.nio.file.Files.createDirectories(dir.resolve(name));
            for (int i = 0; i < perClass; i++) {
                java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(16, 16,
                        java.awt.image.BufferedImage.TYPE_INT_RGB);
                int at = 2 + random.nextInt(12);
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        boolean on = switch (name) {
                            case "row" -> y == at || y == at - 1;
                            case "column" -> x == at || x == at - 1;
                            default -> (x == 3 || x == 12 || y == 3 || y == 12) && x >= 3 && x <= 12 && y >= 3 && y <= 12;
                        };
                        int v = on ? 220 + random.nextInt(36) : random.nextInt(40);
                        img.setRGB(x, y, (v << 16) | (v << 8) | v);
                    }
                }
                javax.imageio.ImageIO.write(img, "png", classDir.resolve(String.format("%03d.png", i)).toFile());
            }
        }
        return dir;
    }

    /**
     * Trains a class-conditional mlp-vae (latent 20, 3x16x16) on a {@link #labelledFolder} of {@code perClass}
     * images per class for {@code epochs} epochs into {@code out}, plus {@code extra} options.
     */
    static Path trainConditional(Path out, int perClass, int epochs, String... extra) throws java.io.IOException {
        Path data = labelledFolder(out.resolveSibling(out.getFileName() + "-data"), perClass, 5);
        List<String> options = new ArrayList<>(List.of("--dataset", "image-folder", "--data-dir", data.toString(),
                "--image-size", "16", "-D", "cache-dir=" + out.resolveSibling(out.getFileName() + "-cache"),
                "--conditional", "--epochs", Integer.toString(epochs), "--batch-size", "32", "--lr", "0.003"));
        options.addAll(List.of(extra));
        return trainWith(out, options.toArray(String[]::new));
    }

    /** {@code n} standard-normal latent vectors of size {@code latent} from {@code seed}, a few of them extreme. */
    static float[] latents(int n, int latent, long seed) {
        Random random = new Random(seed);
        float[] z = new float[n * latent];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) random.nextGaussian();
        }
        for (int d = 0; d < latent; d++) {
            z[d] = 0f;
            z[latent + d] = d % 2 == 0 ? 4f : -4f;
        }
        return z;
    }

    /** The decoder run by the Java toolkit's own ONNX Runtime session (CPU): images {@code [n, C, H, W]}. */
    static float[] javaDecode(Path decoder, float[] z, int n) {
        try (InferenceSession s = InferenceSession.open(decoder, SessionConfig.cpu())) {
            return s.run(Map.of("z", Tensor.of(z, n, z.length / n))).get("image").toFloatArray();
        }
    }

    /** A class-conditional decoder run by the Java toolkit's own session: images {@code [n, C, H, W]}. */
    static float[] javaDecode(Path decoder, float[] z, long[] labels) {
        int n = labels.length;
        try (InferenceSession s = InferenceSession.open(decoder, SessionConfig.cpu())) {
            return s.run(Map.of("z", Tensor.of(z, n, z.length / n), "label", Tensor.of(labels, n))).get("image")
                    .toFloatArray();
        }
    }

    static double maxAbsDifference(float[] a, float[] b) {
        assertEquals(a.length, b.length, "lengths");
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
