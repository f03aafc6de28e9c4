package org.onnxtoolkit.engine.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.nn.Layers;
import org.onnxtoolkit.compiler.artifacts.AdamWSettings;
import org.onnxtoolkit.compiler.artifacts.ArtifactCompiler;
import org.onnxtoolkit.compiler.artifacts.Manifest;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.autodiff.GradientKernels;
import org.onnxtoolkit.compiler.autodiff.ModelAssembler;
import org.onnxtoolkit.engine.ort.ElementType;
import org.onnxtoolkit.engine.ort.Outputs;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.ort.TrainingSession;

/**
 * A classifier with int64 labels, built with the graph builder, compiled to ONNX Runtime training artifacts
 * and trained through {@link TrainingSession}: {@code x [N, 4]} float32 and {@code label [N]} int64, a
 * 4-16-3 MLP, softmax cross-entropy from the builder's own ops (the one-hot vector comes from the cast label:
 * {@code relu(1 - |label - k|)} is 1 for class {@code k} and 0 for every other class, exactly). The first
 * step's loss and gradients are compared with plain Java; a few hundred steps on three separable clusters
 * must bring the loss down and classify held-out points.
 */
class Int64LabelTrainingTest {
    private static final int FEATURES = 4;
    private static final int HIDDEN = 16;
    private static final int CLASSES = 3;
    private static final float LR = 0.01f;

    @TempDir
    static Path dir;
    static TrainingArtifacts artifacts;

    /** {@code loss} (mean cross-entropy) in both phases; {@code logits [N, 3]} too in the eval graph. */
    private static Graph classifier(Phase phase) {
        Graph g = new Graph(phase);
        Value x = g.input("x", Shape.BATCH, FEATURES);
        Value label = g.input("label", DataType.INT64, Shape.BATCH);
        Value logits = Layers.linear(g, "fc2", Layers.linear(g, "fc1", x, HIDDEN).relu(), CLASSES);
        Value distance = g.cast(label, DataType.FLOAT).reshape(-1, 1)
                .sub(g.constant("classes", new float[] {0, 1, 2}, CLASSES));
        Value oneHot = g.scalar(1f).sub(distance.mul(distance).sqrt()).relu();
        Value logSumExp = logits.exp().sum(1).log();
        Value picked = oneHot.mul(logits).sum(1);
        g.output("loss", logSumExp.sub(picked).mean());
        if (phase == Phase.INFERENCE) {
            g.output("logits", logits);
        }
        return g;
    }

    @BeforeAll
    static void compile() {
        artifacts = ArtifactCompiler.compile(new ArtifactCompiler.Request(classifier(Phase.TRAINING),
                classifier(Phase.INFERENCE), "loss", Map.of("test", "int64-labels"), GradientKernels.ORT_FUSED,
                AdamWSettings.pytorchAdam(), true, true));
    }

    private static TrainingSession open(long seed) throws IOException {
        Path ckpt = Files.createTempFile(dir, "ckpt", "");
        Files.write(ckpt, artifacts.initialCheckpoint(seed));
        TrainingSession s = TrainingSession.open(ckpt, artifacts.trainingModel(), artifacts.evalModel(),
                artifacts.optimizerModel(), SessionConfig.cpu().withIntraOpThreads(1));
        s.setLearningRate(LR);
        return s;
    }

    /** Points of three clusters with centres 3 apart on the first three axes, unit-variance noise /2. */
    private record Points(float[] x, long[] label, int n) {
        static Points draw(int n, SplittableRandom rng) {
            float[] x = new float[n * FEATURES];
            long[] label = new long[n];
            for (int i = 0; i < n; i++) {
                int k = rng.nextInt(CLASSES);
                label[i] = k;
                for (int f = 0; f < FEATURES; f++) {
                    x[i * FEATURES + f] = (f == k ? 3f : 0f) + (float) (0.5 * gaussian(rng));
                }
            }
            return new Points(x, label, n);
        }

        Points slice(int from, int count) {
            float[] xs = new float[count * FEATURES];
            long[] ls = new long[count];
            System.arraycopy(x, from * FEATURES, xs, 0, count * FEATURES);
            System.arraycopy(label, from, ls, 0, count);
            return new Points(xs, ls, count);
        }

        Map<String, Tensor> feeds() {
            return Map.of("x", Tensor.of(x, n, FEATURES), "label", Tensor.of(label, n));
        }
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    @Test
    void theLabelIsDeclaredInt64() {
        Manifest.TensorEntry label = artifacts.manifest().trainingInputs().stream()
                .filter(e -> e.name().equals("label")).findFirst().orElseThrow();
        assertEquals("INT64", label.type());
        assertEquals(List.of(-1L), java.util.Arrays.stream(label.shape()).boxed().toList());
    }

    @Test
    void firstStepLossAndGradientsMatchPlainJava() throws IOException {
        Points batch = Points.draw(8, new SplittableRandom(5));
        try (TrainingSession s = open(3)) {
            assertEquals(List.of("x", "label"), s.trainingInputNames());
            double[] w1 = JavaReference.toDouble(s.parameter("fc1/weight").toFloatArray());
            double[] b1 = JavaReference.toDouble(s.parameter("fc1/bias").toFloatArray());
            double[] w2 = JavaReference.toDouble(s.parameter("fc2/weight").toFloatArray());
            double[] b2 = JavaReference.toDouble(s.parameter("fc2/bias").toFloatArray());
            int n = batch.n();
            double[] x = JavaReference.toDouble(batch.x());
            double[] z1 = JavaReference.linear(x, n, FEATURES, w1, b1, HIDDEN);
            double[] h = JavaReference.relu(z1);
            double[] logits = JavaReference.linear(h, n, HIDDEN, w2, b2, CLASSES);
            // Softmax cross-entropy: loss = mean(logsumexp - logit of the label); dlogits = (softmax - onehot) / n.
            double loss = 0;
            double[] dLogits = new double[n * CLASSES];
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int k = 0; k < CLASSES; k++) {
                    sum += Math.exp(logits[i * CLASSES + k]);
                }
                int label = (int) batch.label()[i];
                loss += Math.log(sum) - logits[i * CLASSES + label];
                for (int k = 0; k < CLASSES; k++) {
                    dLogits[i * CLASSES + k] = (Math.exp(logits[i * CLASSES + k]) / sum - (k == label ? 1 : 0)) / n;
                }
            }
            loss /= n;
            double[] dw2 = new double[CLASSES * HIDDEN];
            double[] db2 = new double[CLASSES];
            double[] dz1 = new double[n * HIDDEN];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < CLASSES; k++) {
                    double d = dLogits[i * CLASSES + k];
                    db2[k] += d;
                    for (int j = 0; j < HIDDEN; j++) {
                        dw2[k * HIDDEN + j] += d * h[i * HIDDEN + j];
                        dz1[i * HIDDEN + j] += d * w2[k * HIDDEN + j] * (z1[i * HIDDEN + j] > 0 ? 1 : 0);
                    }
                }
            }
            double[] dw1 = new double[HIDDEN * FEATURES];
            double[] db1 = new double[HIDDEN];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < HIDDEN; j++) {
                    db1[j] += dz1[i * HIDDEN + j];
                    for (int f = 0; f < FEATURES; f++) {
                        dw1[j * FEATURES + f] += dz1[i * HIDDEN + j] * x[i * FEATURES + f];
                    }
                }
            }

            Outputs out = s.trainStep(batch.feeds());
            assertEquals(loss, out.get("loss").item(), 1e-5 * Math.max(1, loss));
            String g = ModelAssembler.GRADIENT_OUTPUT_PREFIX;
            assertClose(dw1, out.get(g + "fc1/weight").toFloatArray(), 1e-6);
            assertClose(db1, out.get(g + "fc1/bias").toFloatArray(), 1e-6);
            assertClose(dw2, out.get(g + "fc2/weight").toFloatArray(), 1e-6);
            assertClose(db2, out.get(g + "fc2/bias").toFloatArray(), 1e-6);
            float[] evalLogits = s.evalStep(batch.feeds()).get("logits").toFloatArray();
            assertClose(logits, evalLogits, 1e-6);
        }
    }

    @Test
    void lossFallsAndHeldOutPointsAreClassified() throws IOException {
        SplittableRandom rng = new SplittableRandom(11);
        Points train = Points.draw(320, rng);
        Points test = Points.draw(200, rng);
        int batch = 32;
        try (TrainingSession s = open(7)) {
            double before = s.evalStep(test.feeds()).get("loss").item();
            double firstEpoch = 0;
            double lastEpoch = 0;
            int steps = 0;
            for (int epoch = 0; epoch < 30; epoch++) {
                double sum = 0;
                for (int from = 0; from < train.n(); from += batch) {
                    s.lazyResetGrad();
                    sum += s.trainStep(train.slice(from, batch).feeds()).get("loss").item();
                    s.optimizerStep();
                    steps++;
                }
                double mean = sum / (train.n() / batch);
                if (epoch == 0) {
                    firstEpoch = mean;
                }
                lastEpoch = mean;
            }
            Outputs eval = s.evalStep(test.feeds());
            double after = eval.get("loss").item();
            float[] logits = eval.get("logits").toFloatArray();
            int correct = 0;
            for (int i = 0; i < test.n(); i++) {
                int best = 0;
                for (int k = 1; k < CLASSES; k++) {
                    if (logits[i * CLASSES + k] > logits[i * CLASSES + best]) {
                        best = k;
                    }
                }
                correct += best == test.label()[i] ? 1 : 0;
            }
            double accuracy = correct / (double) test.n();
            System.out.printf("int64 labels: %d steps, train loss %.4f (first epoch) -> %.4f (last), test loss"
                    + " %.4f -> %.4f, held-out accuracy %.3f%n", steps, firstEpoch, lastEpoch, before, after, accuracy);
            assertEquals(300, steps);
            assertTrue(before > 0.9, "an untrained 3-class model is near log 3 = 1.1: " + before);
            assertTrue(lastEpoch < 0.1 * firstEpoch, "train loss " + firstEpoch + " -> " + lastEpoch);
            assertTrue(after < 0.1, "test loss " + after);
            assertTrue(accuracy >= 0.98, "held-out accuracy " + accuracy);
        }
    }

    @Test
    void floatLabelsWhereInt64IsDeclaredAreRefusedWithOneLine() throws IOException {
        Points batch = Points.draw(4, new SplittableRandom(1));
        Map<String, Tensor> floatLabels = Map.of("x", Tensor.of(batch.x(), 4, FEATURES),
                "label", Tensor.of(new float[] {0, 1, 2, 1}, 4));
        try (TrainingSession s = open(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.trainStep(floatLabels));
            assertEquals("TrainStep: input 'label' is float32 but the model declares int64; create it with"
                    + " Tensor.of(long[], shape)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.evalStep(floatLabels));
            assertEquals("EvalStep: input 'label' is float32 but the model declares int64; create it with"
                    + " Tensor.of(long[], shape)", e.getMessage());
            Map<String, Tensor> intLabels = Map.of("x", Tensor.of(batch.x(), 4, FEATURES),
                    "label", Tensor.zeros(ElementType.INT32, 4));
            e = assertThrows(IllegalArgumentException.class, () -> s.trainStep(intLabels));
            assertEquals("TrainStep: input 'label' is int32 but the model declares int64; create it with"
                    + " Tensor.of(long[], shape)", e.getMessage());
            // Refused before ORT saw anything: the session trains on.
            s.lazyResetGrad();
            assertTrue(Float.isFinite(s.trainStep(batch.feeds()).get("loss").item()));
        }
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
