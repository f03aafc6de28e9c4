package org.onnxtoolkit.engine.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.graph.ConvOptions;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.nn.Layers;
import org.onnxtoolkit.compiler.artifacts.AdamWSettings;
import org.onnxtoolkit.compiler.artifacts.ArtifactCompiler;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.autodiff.GradientKernels;
import org.onnxtoolkit.compiler.autodiff.ModelAssembler;
import org.onnxtoolkit.engine.ort.Outputs;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.ort.TrainingSession;

/**
 * Small models compiled to artifacts and trained through ONNX Runtime's training API on CPU: the first
 * step's loss, gradients and updated parameters against an independent plain-Java computation, the loss
 * falling over a few steps, and checkpoint save/reload continuing bit-identically.
 */
class CompiledTrainingTest {
    private static final long B = Shape.BATCH;
    private static final float LR = 0.01f;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------------------ MLP

    /** x [N, 6] -> relu(fc1: 5) -> fc2: 6 logits; loss = mean over images of summed BCE-with-logits. */
    private static Graph mlp(Phase phase) {
        Graph g = new Graph(phase);
        Value x = g.input("x", B, 6);
        Value h = Layers.linear(g, "fc1", x, 5).relu();
        Value logits = Layers.linear(g, "fc2", h, 6);
        Value bce = logits.softplus().sub(x.mul(logits));
        g.output("loss", bce.sum(1).mean(0));
        return g;
    }

    private TrainingArtifacts compile(Graph train, Graph eval, boolean expose) {
        return ArtifactCompiler.compile(new ArtifactCompiler.Request(train, eval, "loss", Map.of("test", "model"),
                GradientKernels.ORT_FUSED, AdamWSettings.pytorchAdam(), expose, true));
    }

    private TrainingSession open(TrainingArtifacts a, byte[] checkpoint) throws IOException {
        Path ckpt = Files.createTempFile(dir, "ckpt", "");
        Files.write(ckpt, checkpoint);
        TrainingSession s = TrainingSession.open(ckpt, a.trainingModel(), a.evalModel(), a.optimizerModel(),
                SessionConfig.cpu().withIntraOpThreads(1));
        s.setLearningRate(LR);
        return s;
    }

    private static float[] uniform(SplittableRandom rng, int n, double lo, double hi) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (lo + rng.nextDouble() * (hi - lo));
        }
        return f;
    }

    private static Map<String, float[]> outputsByName(Outputs outs) {
        Map<String, float[]> m = new HashMap<>();
        for (String name : outs.names()) {
            m.put(name, outs.get(name).toFloatArray());
        }
        return m;
    }

    @Test
    void mlpFirstStepMatchesPlainJavaAndLossFalls() throws IOException {
        TrainingArtifacts a = compile(mlp(Phase.TRAINING), mlp(Phase.INFERENCE), true);
        int n = 8;
        float[] xs = uniform(new SplittableRandom(7), n * 6, 0, 1);
        Tensor x = Tensor.of(xs, n, 6);
        try (TrainingSession s = open(a, a.initialCheckpoint(42))) {
            double[] w1 = JavaReference.toDouble(s.parameter("fc1/weight").toFloatArray());
            double[] b1 = JavaReference.toDouble(s.parameter("fc1/bias").toFloatArray());
            double[] w2 = JavaReference.toDouble(s.parameter("fc2/weight").toFloatArray());
            double[] b2 = JavaReference.toDouble(s.parameter("fc2/bias").toFloatArray());
            double[] xd = JavaReference.toDouble(xs);

            // Plain-Java forward and backward.
            double[] z1 = JavaReference.linear(xd, n, 6, w1, b1, 5);
            double[] h = JavaReference.relu(z1);
            double[] l = JavaReference.linear(h, n, 5, w2, b2, 6);
            double loss = 0;
            double[] dl = new double[l.length];
            for (int i = 0; i < l.length; i++) {
                loss += JavaReference.softplus(l[i]) - xd[i] * l[i];
                dl[i] = (1 / (1 + Math.exp(-l[i])) - xd[i]) / n;
            }
            loss /= n;
            double[] dw2 = new double[6 * 5];
            double[] db2 = new double[6];
            double[] dz1 = new double[n * 5];
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < 6; o++) {
                    db2[o] += dl[i * 6 + o];
                    for (int k = 0; k < 5; k++) {
                        dw2[o * 5 + k] += dl[i * 6 + o] * h[i * 5 + k];
                        dz1[i * 5 + k] += dl[i * 6 + o] * w2[o * 5 + k] * (z1[i * 5 + k] > 0 ? 1 : 0);
                    }
                }
            }
            double[] dw1 = new double[5 * 6];
            double[] db1 = new double[5];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 5; k++) {
                    db1[k] += dz1[i * 5 + k];
                    for (int j = 0; j < 6; j++) {
                        dw1[k * 6 + j] += dz1[i * 5 + k] * xd[i * 6 + j];
                    }
                }
            }

            Map<String, float[]> out = outputsByName(s.trainStep(Map.of("x", x)));
            assertEquals(loss, out.get("loss")[0], 1e-5 * Math.abs(loss));
            assertClose(dw1, out.get(ModelAssembler.GRADIENT_OUTPUT_PREFIX + "fc1/weight"), 1e-6);
            assertClose(db1, out.get(ModelAssembler.GRADIENT_OUTPUT_PREFIX + "fc1/bias"), 1e-6);
            assertClose(dw2, out.get(ModelAssembler.GRADIENT_OUTPUT_PREFIX + "fc2/weight"), 1e-6);
            assertClose(db2, out.get(ModelAssembler.GRADIENT_OUTPUT_PREFIX + "fc2/bias"), 1e-6);

            s.optimizerStep();
            double[][] params = {w1, b1, w2, b2};
            double[][] grads = {dw1, db1, dw2, db2};
            String[] names = {"fc1/weight", "fc1/bias", "fc2/weight", "fc2/bias"};
            for (int p = 0; p < 4; p++) {
                double[] ref = params[p].clone();
                JavaReference.adamStep(ref, grads[p], new double[ref.length], new double[ref.length], 1, LR, 0.9,
                        0.999, 1e-8);
                assertClose(ref, s.parameter(names[p]).toFloatArray(), 2e-6);
            }

            float first = out.get("loss")[0];
            float last = first;
            for (int step = 0; step < 100; step++) {
                s.lazyResetGrad();
                last = s.trainStep(Map.of("x", x)).get("loss").item();
                s.optimizerStep();
            }
            assertTrue(last < 0.9f * first, "loss did not fall: " + first + " -> " + last);
            float evalLoss = s.evalStep(Map.of("x", x)).get("loss").item();
            assertTrue(Math.abs(evalLoss - last) < 0.1f * first, "eval loss " + evalLoss + " vs train " + last);
        }
    }

    @Test
    void checkpointReloadContinuesBitIdentically() throws IOException {
        TrainingArtifacts a = compile(mlp(Phase.TRAINING), mlp(Phase.INFERENCE), false);
        Tensor x = Tensor.of(uniform(new SplittableRandom(3), 16 * 6, 0, 1), 16, 6);
        Path saved = dir.resolve("saved.ckpt");
        float[] inMemory;
        try (TrainingSession s = open(a, a.initialCheckpoint(5))) {
            steps(s, x, 5);
            s.saveCheckpoint(saved, true);
            steps(s, x, 5);
            inMemory = mlpParameters(s);
        }
        float[] reloaded;
        try (TrainingSession s = TrainingSession.open(saved, a.trainingModel(), a.evalModel(), a.optimizerModel(),
                SessionConfig.cpu().withIntraOpThreads(1))) {
            s.setLearningRate(LR);
            steps(s, x, 5);
            reloaded = mlpParameters(s);
        }
        assertArrayEquals(inMemory, reloaded);
    }

    /** Every parameter of {@link #mlp}, concatenated. */
    private static float[] mlpParameters(TrainingSession s) {
        float[] all = new float[0];
        for (String name : List.of("fc1/weight", "fc1/bias", "fc2/weight", "fc2/bias")) {
            float[] p = s.parameter(name).toFloatArray();
            float[] grown = Arrays.copyOf(all, all.length + p.length);
            System.arraycopy(p, 0, grown, all.length, p.length);
            all = grown;
        }
        return all;
    }

    private static void steps(TrainingSession s, Tensor x, int n) {
        for (int i = 0; i < n; i++) {
            s.lazyResetGrad();
            s.trainStep(Map.of("x", x));
            s.optimizerStep();
        }
    }

    // ---------------------------------------------------------------------------- conv with BatchNorm

    /** x [N,1,8,8] -> conv k3 s2 p1 (4) -> BN -> relu -> convT k3 s2 p1 op1 (1) -> [N,1,8,8]; MSE mean. */
    private static Graph convNet(Phase phase) {
        Graph g = new Graph(phase);
        Value x = g.input("x", B, 1, 8, 8);
        Value h = Layers.conv2d(g, "enc", x, 4, 3, ConvOptions.of(2, 1));
        h = Layers.batchNorm2d(g, "bn", h).relu();
        Value y = Layers.convTranspose2d(g, "dec", h, 1, 3, ConvOptions.transposed(2, 1, 1));
        Value d = y.sub(x);
        g.output("loss", d.mul(d).mean());
        return g;
    }

    private static double convLoss(double[] x, Map<String, double[]> p, int n) {
        double[] h = JavaReference.conv2d(x, n, 1, 8, 8, p.get("enc/weight"), p.get("enc/bias"), 4, 3, 2, 1);
        h = JavaReference.relu(JavaReference.batchNormTrain(h, n, 4, 16, p.get("bn/weight"), p.get("bn/bias"), 1e-5));
        double[] y = JavaReference.convTranspose2d(h, n, 4, 4, 4, p.get("dec/weight"), p.get("dec/bias"), 1, 3, 2, 1, 1);
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += (y[i] - x[i]) * (y[i] - x[i]);
        }
        return s / y.length;
    }

    @Test
    void convNetWithBatchNormFirstStepMatchesReferenceAndLossFalls() throws IOException {
        TrainingArtifacts a = compile(convNet(Phase.TRAINING), convNet(Phase.INFERENCE), true);
        int n = 2;
        float[] xs = uniform(new SplittableRandom(11), n * 64, 0, 1);
        Tensor x = Tensor.of(xs, n, 1, 8, 8);
        double[] xd = JavaReference.toDouble(xs);
        String[] trainable = {"enc/weight", "enc/bias", "bn/weight", "bn/bias", "dec/weight", "dec/bias"};
        try (TrainingSession s = open(a, a.initialCheckpoint(9))) {
            Map<String, double[]> p = new HashMap<>();
            for (String name : trainable) {
                p.put(name, JavaReference.toDouble(s.parameter(name).toFloatArray()));
            }
            double loss = convLoss(xd, p, n);
            Map<String, float[]> out = outputsByName(s.trainStep(Map.of("x", x)));
            assertEquals(loss, out.get("loss")[0], 1e-5 * loss);

            // Gradients against central differences of the double-precision Java forward.
            for (String name : trainable) {
                double[] v = p.get(name);
                double[] numeric = new double[v.length];
                for (int i = 0; i < v.length; i++) {
                    numeric[i] = centralDifference(v, i, 1e-6, q -> convLoss(xd, p, n));
                }
                assertClose(numeric, out.get(ModelAssembler.GRADIENT_OUTPUT_PREFIX + name), 2e-5);
            }

            // Running statistics updated in place: 0.9 old + 0.1 batch (unbiased variance, as PyTorch).
            double[] h = JavaReference.conv2d(xd, n, 1, 8, 8, p.get("enc/weight"), p.get("enc/bias"), 4, 3, 2, 1);
            double[][] st = JavaReference.batchStats(h, n, 4, 16);
            double[] mean = new double[4];
            double[] var = new double[4];
            for (int c = 0; c < 4; c++) {
                mean[c] = 0.1 * st[0][c];
                var[c] = 0.9 + 0.1 * st[1][c] * (n * 16.0) / (n * 16.0 - 1);
            }
            assertClose(mean, s.parameter("bn/running_mean").toFloatArray(), 1e-6);
            assertClose(var, s.parameter("bn/running_var").toFloatArray(), 1e-6);

            s.optimizerStep();
            for (String name : trainable) {
                double[] ref = p.get(name).clone();
                double[] g = JavaReference.toDouble(out.get(ModelAssembler.GRADIENT_OUTPUT_PREFIX + name));
                JavaReference.adamStep(ref, g, new double[ref.length], new double[ref.length], 1, LR, 0.9, 0.999, 1e-8);
                assertClose(ref, s.parameter(name).toFloatArray(), 2e-6);
            }

            float first = out.get("loss")[0];
            float last = first;
            for (int step = 0; step < 60; step++) {
                s.lazyResetGrad();
                last = s.trainStep(Map.of("x", x)).get("loss").item();
                s.optimizerStep();
            }
            assertTrue(last < 0.7f * first, "loss did not fall: " + first + " -> " + last);
        }
    }

    private static double centralDifference(double[] v, int i, double h, ToDoubleFunction<double[]> f) {
        double orig = v[i];
        v[i] = orig + h;
        double plus = f.applyAsDouble(v);
        v[i] = orig - h;
        double minus = f.applyAsDouble(v);
        v[i] = orig;
        return (plus - minus) / (2 * h);
    }

    private static void assertClose(double[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double allowed = tol * Math.max(1, scale);
            if (Math.abs(expected[i] - actual[i]) > allowed) {
                throw new AssertionError("element " + i + ": expected " + expected[i] + " but was " + actual[i]
                        + " (tolerance " + allowed + ")");
            }
        }
    }
}
