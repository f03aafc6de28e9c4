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

    static double maxAbsDifference(float[] a, float[] b) {
        assertEquals(a.length, b.length, "lengths");
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
