package org.onnxtoolkit.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Init;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.artifacts.AdamWSettings;
import org.onnxtoolkit.compiler.artifacts.ArtifactCompiler;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.onnx.IrGraph;
import org.onnxtoolkit.engine.ort.Outputs;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.ort.TrainingSession;

/**
 * The binary cross-entropy from logits that the compiler lowers and differentiates as one unit
 * ({@link BceWithLogits}): which graphs match, the values of the fused form through ONNX Runtime for logits far
 * into both tails (where a naive {@code log(sigmoid)} form fails), and its gradient after a reduction whose
 * gradient is no longer expanded. {@code GradientRulesTest} checks the gradients against finite differences.
 */
class BceWithLogitsTest {
    private static final long B = Shape.BATCH;

    /** {@code softplus(l) - t l} in double precision, stable in both tails. */
    private static double reference(double l, double t) {
        double softplus = l > 0 ? l + Math.log1p(Math.exp(-l)) : Math.log1p(Math.exp(l));
        return softplus - t * l;
    }

    @Test
    void matchesEitherOrderOfTheProductButNotValuesUsedElsewhere() {
        Graph g = new Graph(Phase.TRAINING);
        Value l = g.input("l", B, 4);
        Value t = g.input("t", B, 4);
        Value first = l.softplus().sub(t.mul(l));
        Value second = l.softplus().sub(l.mul(t));
        g.output("a", first.add(second));
        assertEquals(2, BceWithLogits.find(g).size());

        Graph shared = new Graph(Phase.TRAINING);
        Value ls = shared.input("l", B, 4);
        Value sp = ls.softplus();
        shared.output("a", sp.sub(shared.input("t", B, 4).mul(ls)).add(sp));
        assertEquals(0, BceWithLogits.find(shared).size(), "the Softplus is also read by the Add");

        Graph declared = new Graph(Phase.TRAINING);
        Value ld = declared.input("l", B, 4);
        Value product = declared.input("t", B, 4).mul(ld);
        declared.output("product", product);
        declared.output("a", ld.softplus().sub(product));
        assertEquals(0, BceWithLogits.find(declared).size(), "the product is a declared output");

        Graph square = new Graph(Phase.TRAINING);
        Value lq = square.input("l", B, 4);
        square.output("a", lq.softplus().sub(lq.mul(lq)));
        assertEquals(0, BceWithLogits.find(square).size(), "l * l has no target");

        Graph otherLogits = new Graph(Phase.TRAINING);
        Value l1 = otherLogits.input("l", B, 4);
        Value l2 = otherLogits.input("m", B, 4);
        otherLogits.output("a", l1.softplus().sub(otherLogits.input("t", B, 4).mul(l2)));
        assertEquals(0, BceWithLogits.find(otherLogits).size(), "the product's logits are another value");
    }

    /** A VAE-like loss: {@code mean over images of the BCE summed over pixels}, of logits {@code u * a}. */
    private static Graph model(Phase phase) {
        Graph g = new Graph(phase);
        Value u = g.input("u", B, 2, 8);
        Value t = g.input("t", B, 2, 8);
        Value l = u.mul(g.parameter("a", Init.ones(), 2, 8));
        Value bce = l.softplus().sub(t.mul(l));
        g.output("loss", bce.sum(1, 2).mean(0));
        g.output("bce", bce);
        return g;
    }

    @Test
    void fusedFormIsExactInBothTailsAndItsGradientIsSigmoidMinusTarget() {
        Graph train = model(Phase.TRAINING);
        IrGraph ir = ModelAssembler.training(train, "loss", GradientKernels.ORT_FUSED, true, false);
        List<String> ops = new ArrayList<>();
        ir.nodes().forEach(n -> ops.add(n.op().onnxName()));
        assertTrue(!ops.contains("Softplus") && !ops.contains("Exp") && ops.contains("Max"), ops.toString());
        long expands = ir.nodes().stream().filter(n -> n.op() == Op.EXPAND).count();
        assertEquals(1, expands, "only the mean's gradient is expanded (to [N]), not the sum's: " + ops);

        TrainingArtifacts a = ArtifactCompiler.compile(new ArtifactCompiler.Request(train, model(Phase.INFERENCE),
                "loss", Map.of("test", "bce"), GradientKernels.ORT_FUSED, AdamWSettings.pytorchAdam(), true, false));
        int n = 3;
        int k = 16;
        float[] logits = new float[n * k];
        float[] targets = new float[n * k];
        float[] tails = {-60f, -30f, -17.5f, -9f, -2f, -0.25f, 0f, 0.125f, 1.5f, 4f, 11f, 16.7f, 19f, 30f, 45f, 88f};
        float[] ts = {0f, 0.3f, 1f};
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                logits[i * k + j] = tails[j];
                targets[i * k + j] = ts[i];
            }
        }
        try (TrainingSession s = TrainingSession.openFromBytes(a.initialCheckpoint(1), a.trainingModel(), null, null,
                SessionConfig.cpu().withIntraOpThreads(1))) {
            Outputs out = s.trainStep(Map.of("u", Tensor.of(logits, n, 2, 8), "t", Tensor.of(targets, n, 2, 8)));
            float[] bce = out.get("bce").toFloatArray();
            float[] grad = out.get(ModelAssembler.GRADIENT_OUTPUT_PREFIX + "a").toFloatArray();
            double loss = 0;
            double[] expectedGrad = new double[k];
            for (int i = 0; i < n * k; i++) {
                double l = logits[i];
                double expected = reference(l, targets[i]);
                assertEquals(expected, bce[i], 1e-7 * Math.max(1, Math.abs(expected)) + 1e-7,
                        "bce at l = " + l + ", t = " + targets[i]);
                loss += expected / n;
                expectedGrad[i % k] += l * (1 / (1 + Math.exp(-l)) - targets[i]) / n;
            }
            assertEquals(loss, out.get("loss").item(), 1e-6 * loss);
            for (int j = 0; j < k; j++) {
                // sigmoid(l) of ONNX Runtime's kernel is within 1e-7 absolute; the gradient multiplies it by l
                assertEquals(expectedGrad[j], grad[j], 2e-7 * Math.max(1, Math.abs(tails[j])) * 2,
                        "gradient of a[" + j + "] at l = " + tails[j]);
            }
        }
    }

    @Test
    void perImageSumJoinsOnlyForAnInputTargetAndEveryAxisButTheFirst() {
        Graph g = new Graph(Phase.TRAINING);
        Value l = g.input("l", B, 2, 98);
        Value t = g.input("t", B, 2, 98);
        g.output("loss", l.softplus().sub(t.mul(l)).sum(1, 2).mean(0));
        BceWithLogits.Match m = BceWithLogits.find(g).values().iterator().next();
        assertEquals(Op.REDUCE_SUM, m.perImageSum().op());
        assertEquals(3, m.absorbed().size());

        Graph partial = new Graph(Phase.TRAINING);
        Value lp = partial.input("l", B, 2, 98);
        partial.output("loss", lp.softplus().sub(partial.input("t", B, 2, 98).mul(lp)).sum(2).sum(1).mean(0));
        assertEquals(null, BceWithLogits.find(partial).values().iterator().next().perImageSum(), "axis 2 only");

        Graph computedTarget = new Graph(Phase.TRAINING);
        Value lc = computedTarget.input("l", B, 2, 98);
        Value tc = computedTarget.input("t", B, 2, 98).sigmoid();
        computedTarget.output("loss", lc.softplus().sub(tc.mul(lc)).sum(1, 2).mean(0));
        assertEquals(null, BceWithLogits.find(computedTarget).values().iterator().next().perImageSum(),
                "a computed target could need its element-wise gradient");

        assertEquals(98, BceWithLogits.productChunk(784));
        assertEquals(96, BceWithLogits.productChunk(3 * 64 * 64));
        assertEquals(0, BceWithLogits.productChunk(101), "a prime above 100 has no chunk");
    }

    private static Graph sumModel(Phase phase, boolean keepDims) {
        Graph g = new Graph(phase);
        Value u = g.input("u", B, 2, 98);
        Value t = g.input("t", B, 2, 98);
        Value l = u.mul(g.parameter("a", Init.ones(), 2, 98));
        Value perImage = g.reduceSum(l.softplus().sub(t.mul(l)), new long[] {1, 2}, keepDims);
        g.output("loss", g.reduceMean(perImage, new long[0], false));
        g.output("per_image", perImage.mul(1f));
        return g;
    }

    /** Per-image sums of {@code u * a} against double precision, with logits in both tails, kept or dropped axes. */
    @Test
    void perImageSumsAsLogarithmsOfProductsAreExact() {
        for (boolean keepDims : new boolean[] {false, true}) {
            Graph train = sumModel(Phase.TRAINING, keepDims);
            IrGraph ir = ModelAssembler.training(train, "loss", GradientKernels.ORT_FUSED, true, false);
            List<String> ops = new ArrayList<>();
            ir.nodes().forEach(n -> ops.add(n.op().onnxName()));
            assertTrue(ops.contains("ReduceProd"), ops.toString());
            TrainingArtifacts a = ArtifactCompiler.compile(new ArtifactCompiler.Request(train,
                    sumModel(Phase.INFERENCE, keepDims), "loss", Map.of("test", "bce-sum"), GradientKernels.ORT_FUSED, AdamWSettings.pytorchAdam(), true, false));
            int n = 3;
            int k = 196;
            float[] logits = new float[n * k];
            float[] targets = new float[n * k];
            java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
            for (int i = 0; i < logits.length; i++) {
                // every image has logits from -90 to 90, with a cluster near 0
                logits[i] = (float) (i % 7 == 0 ? rng.nextDouble(-90, 90) : rng.nextDouble(-6, 6));
                targets[i] = (float) rng.nextDouble();
            }
            try (TrainingSession s = TrainingSession.openFromBytes(a.initialCheckpoint(1), a.trainingModel(), null,
                    null, SessionConfig.cpu().withIntraOpThreads(1))) {
                Outputs out = s.trainStep(Map.of("u", Tensor.of(logits, n, 2, 98), "t", Tensor.of(targets, n, 2, 98)));
                float[] sums = out.get("per_image").toFloatArray();
                assertEquals(n, sums.length);
                float[] grad = out.get(ModelAssembler.GRADIENT_OUTPUT_PREFIX + "a").toFloatArray();
                for (int i = 0; i < n; i++) {
                    double expected = 0;
                    for (int j = 0; j < k; j++) {
                        expected += reference(logits[i * k + j], targets[i * k + j]);
                    }
                    assertEquals(expected, sums[i], 2e-6 * Math.abs(expected), "image " + i + " keepdims " + keepDims);
                }
                for (int j = 0; j < k; j++) {
                    double expected = 0;
                    for (int i = 0; i < n; i++) {
                        double lv = logits[i * k + j];
                        expected += lv * (1 / (1 + Math.exp(-lv)) - targets[i * k + j]) / n;
                    }
                    assertEquals(expected, grad[j], 1e-6 * Math.max(1, Math.abs(logits[j])), "gradient of a[" + j + "]");
                }
            }
        }
    }

    /** The gradient's value is checked against finite differences in {@code GradientRulesTest}. */
    @Test
    void targetThatNeedsAGradientReadsTheExpandedGradient() {
        Graph g = new Graph(Phase.TRAINING);
        Value l = g.input("u", B, 3).mul(g.parameter("a", Init.ones(), 3));
        Value t = g.parameter("b", Init.constant(0.25f), 3).sigmoid();
        g.output("loss", l.softplus().sub(t.mul(l)).sum(1).mean(0));
        IrGraph ir = ModelAssembler.training(g, "loss", GradientKernels.ORT_FUSED, true, false);
        assertEquals(2, ir.nodes().stream().filter(n -> n.op() == Op.EXPAND).count(),
                "a target with a gradient reads the expanded gradient of the sum");
    }
}
