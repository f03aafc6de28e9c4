package org.onnxtoolkit.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
            float[] logvar = s.parameter("logvar").toArray();
            List<String> names = s.trainingOutputNames();
            List<Tensor> out = s.trainStep(List.of(Tensor.of(w, 2, 4)));
            float[] eps = out.get(names.indexOf("noise")).toArray();
            float[] dmu = out.get(names.indexOf(ModelAssembler.GRADIENT_OUTPUT_PREFIX + "mu")).toArray();
            float[] dlogvar = out.get(names.indexOf(ModelAssembler.GRADIENT_OUTPUT_PREFIX + "logvar")).toArray();
            for (int j = 0; j < 4; j++) {
                double expectMu = w[j] + w[4 + j];
                double expectLogvar = 0.5 * Math.exp(0.5 * logvar[j]) * (w[j] * eps[j] + w[4 + j] * eps[4 + j]);
                assertEquals(expectMu, dmu[j], 1e-6);
                assertEquals(expectLogvar, dlogvar[j], 1e-5);
            }
            float[] eps2 = s.trainStep(List.of(Tensor.of(w, 2, 4))).get(names.indexOf("noise")).toArray();
            assertNotEquals(eps[0], eps2[0], "fresh noise on every step");
            double sum = 0;
            for (float v : eps) {
                sum += Math.abs(v);
            }
            assertTrue(sum > 0, "noise is not all zero");
        }
    }
}
