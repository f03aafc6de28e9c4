package org.onnxtoolkit.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
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
 * Dropout with a ratio above zero draws a new mask on every step, so finite differences cannot check it
 * ({@code GradientRulesTest} checks ratio 0). Here the mask of one step is read off that step's output (the
 * kept elements are the non-zero ones) and the gradient must be exactly what it implies:
 * {@code d loss / d a_j = sum_b w_bj x_bj mask_bj / (1 - ratio)} for {@code y = dropout(x * a)},
 * {@code loss = sum(y * w)}; and the kept outputs are scaled by {@code 1 / (1 - ratio)}.
 */
class DropoutGradientTest {
    @Test
    void gradientFollowsTheMaskOfItsStep() {
        float ratio = 0.5f;
        int n = 64;
        int f = 8;
        Graph g = new Graph(Phase.TRAINING);
        Value x = g.input("x", Shape.BATCH, f);
        Value w = g.input("w", Shape.BATCH, f);
        Value a = g.parameter("a", Init.uniform(0.5, 1.5), f);
        Value y = g.dropout(x.mul(a), ratio);
        g.output("loss", y.mul(w).sum());
        g.output("y", y);
        Graph eval = new Graph(Phase.INFERENCE);
        Value ye = eval.dropout(eval.input("x", Shape.BATCH, f).mul(eval.parameter("a", Init.uniform(0.5, 1.5), f)),
                ratio);
        eval.output("y", ye);
        TrainingArtifacts t = ArtifactCompiler.compile(new ArtifactCompiler.Request(g, eval, "loss",
                Map.of("test", "dropout"), GradientKernels.ORT_FUSED, AdamWSettings.pytorchAdam(), true, false));
        SplittableRandom rng = new SplittableRandom(3);
        float[] xs = new float[n * f];
        float[] ws = new float[n * f];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) (rng.nextDouble() + 0.5);
            ws[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        try (TrainingSession s = TrainingSession.openFromBytes(t.initialCheckpoint(7), t.trainingModel(), null, null,
                SessionConfig.cpu().withIntraOpThreads(1))) {
            float[] av = s.parameter("a").toFloatArray();
            int kept = 0;
            float[] firstY = null;
            for (int step = 0; step < 2; step++) {
                Outputs out = s.trainStep(Map.of("x", Tensor.of(xs, n, f), "w", Tensor.of(ws, n, f)));
                float[] ys = out.get("y").toFloatArray();
                float[] grad = out.get(ModelAssembler.GRADIENT_OUTPUT_PREFIX + "a").toFloatArray();
                double[] expected = new double[f];
                for (int b = 0; b < n; b++) {
                    for (int j = 0; j < f; j++) {
                        int i = b * f + j;
                        if (ys[i] != 0f) {
                            assertEquals(xs[i] * av[j] / (1 - ratio), ys[i], 1e-5, "kept outputs are scaled");
                            expected[j] += ws[i] * xs[i] / (1 - ratio);
                            kept++;
                        }
                    }
                }
                for (int j = 0; j < f; j++) {
                    assertEquals(expected[j], grad[j], 1e-4, "gradient of a[" + j + "]");
                }
                if (step == 0) {
                    firstY = ys;
                } else {
                    assertTrue(!java.util.Arrays.equals(firstY, ys), "a new mask on every step");
                }
            }
            double keptShare = kept / (2.0 * n * f);
            assertTrue(keptShare > 0.35 && keptShare < 0.65, "about half kept: " + keptShare);
        }
    }
}
