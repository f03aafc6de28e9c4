package org.onnxtoolkit.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Init;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.artifacts.AdamWSettings;
import org.onnxtoolkit.compiler.artifacts.ArtifactCompiler;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.engine.ort.Outputs;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.ort.TrainingSession;

/**
 * RandomNormalLike has no gradient of its own, but the reparameterisation {@code z = mu + exp(logvar/2) eps}
 * must differentiate through the noise it drew. Finite differences cannot be used (the noise changes on
 * every step), so the gradients are compared with the closed form evaluated on the returned noise.
 */
class ReparameterisationGradientTest {
    @TempDir
    Path dir;

    private static Graph graph(Phase phase) {
        Graph g = new Graph(phase);
        Value w = g.input("w", Shape.BATCH, 4);
        Value mu = g.parameter("mu", Init.uniform(-1, 1), 4);
        Value logvar = g.parameter("logvar", Init.uniform(-1, 1), 4);
        Value eps = g.randomNormalLike(w);
        Value z = mu.add(logvar.mul(0.5f).exp().mul(eps));
        g.output("loss", z.mul(w).sum());
        g.output("noise", eps);
        return g;
    }

    @Test
    void gradientsFlowThroughTheDrawnNoise() throws IOException {
        TrainingArtifacts a = ArtifactCompiler.compile(new ArtifactCompiler.Request(graph(Phase.TRAINING),
                graph(Phase.INFERENCE), "loss", Map.of(), GradientKernels.ORT_FUSED, AdamWSettings.pytorchAdam(), true, false));
        Path ckpt = dir.resolve("ckpt");
        Files.write(ckpt, a.initialCheckpoint(1));
        float[] w = {0.5f, -1f, 2f, 0.25f, 1f, 1f, -0.5f, 3f};
        TrainingSession.setSeed(1234);
        try (TrainingSession s = TrainingSession.open(ckpt, a.trainingModel(), null, null, SessionConfig.cpu())) {
            float[] logvar = s.parameter("logvar").toFloatArray();
            Outputs out = s.trainStep(Map.of("w", Tensor.of(w, 2, 4)));
            float[] eps = out.get("noise").toFloatArray();
            float[] dmu = out.get(ModelAssembler.GRADIENT_OUTPUT_PREFIX + "mu").toFloatArray();
            float[] dlogvar = out.get(ModelAssembler.GRADIENT_OUTPUT_PREFIX + "logvar").toFloatArray();
            for (int j = 0; j < 4; j++) {
                double expectMu = w[j] + w[4 + j];
                double expectLogvar = 0.5 * Math.exp(0.5 * logvar[j]) * (w[j] * eps[j] + w[4 + j] * eps[4 + j]);
                assertEquals(expectMu, dmu[j], 1e-6);
                assertEquals(expectLogvar, dlogvar[j], 1e-5);
            }
            float[] eps2 = s.trainStep(Map.of("w", Tensor.of(w, 2, 4))).get("noise").toFloatArray();
            assertNotEquals(eps[0], eps2[0], "fresh noise on every step");
            double sum = 0;
            for (float v : eps) {
                sum += Math.abs(v);
            }
            assertTrue(sum > 0, "noise is not all zero");
        }
    }

    /** ORT's global seed, set before a session is created, fixes the noise that session's RandomNormalLike draws. */
    @Test
    void setSeedMakesInGraphNoiseReproducible() throws IOException {
        TrainingArtifacts a = ArtifactCompiler.compile(new ArtifactCompiler.Request(graph(Phase.TRAINING),
                graph(Phase.INFERENCE), "loss", Map.of(), GradientKernels.ORT_FUSED, AdamWSettings.pytorchAdam(), true, false));
        Path ckpt = dir.resolve("ckpt");
        Files.write(ckpt, a.initialCheckpoint(1));
        float[] first = firstNoise(a, ckpt, 1234);
        float[] again = firstNoise(a, ckpt, 1234);
        float[] other = firstNoise(a, ckpt, 99);
        assertArrayEquals(first, again, 0f, "same seed, same noise");
        assertNotEquals(first[0], other[0], "another seed, other noise");
    }

    private static float[] firstNoise(TrainingArtifacts a, Path ckpt, long seed) {
        TrainingSession.setSeed(seed);
        try (TrainingSession s = TrainingSession.open(ckpt, a.trainingModel(), null, null, SessionConfig.cpu())) {
            return s.trainStep(Map.of("w", Tensor.zeros(2, 4))).get("noise").toFloatArray();
        }
    }
}
