package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.graph.ConvOptions;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Init;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.autodiff.ModelAssembler;
import org.onnxtoolkit.compiler.onnx.BatchNormFolding;
import org.onnxtoolkit.compiler.onnx.IrGraph;
import org.onnxtoolkit.compiler.onnx.OnnxModelWriter;

/**
 * Inference models fold BatchNormalization into the convolution before it: the folded model runs in ORT with
 * the same outputs as the unfolded one (parameters fed as inputs, nothing folded) to float rounding, has no
 * BatchNormalization left where folding applies, and keeps it where it does not.
 */
class BatchNormFoldingTest {

    /** x [N, 3, 8, 8] -> conv 3->4 (+BN, ReLU) -> convTranspose 4->2 stride 2 (+BN) -> y [N, 2, 16, 16]. */
    private static Graph graph(boolean convOutputAlsoUsed) {
        Graph g = new Graph(Phase.INFERENCE);
        Value x = g.input("x", Shape.BATCH, 3, 8, 8);
        Value h = g.conv(x, g.parameter("c/w", Init.zeros(), 4, 3, 3, 3), g.parameter("c/b", Init.zeros(), 4),
                ConvOptions.of(1, 1));
        Value bn1 = bn(g, "bn1", h, 4).relu();
        Value d = g.convTranspose(bn1, g.parameter("d/w", Init.zeros(), 4, 2, 4, 4), null,
                ConvOptions.transposed(2, 1, 0));
        Value y = bn(g, "bn2", d, 2);
        if (convOutputAlsoUsed) {
            y = y.add(d);
        }
        g.output("y", y);
        return g;
    }

    private static Value bn(Graph g, String name, Value x, int c) {
        return g.batchNormalization(x, g.parameter(name + "/scale", Init.zeros(), c),
                g.parameter(name + "/bias", Init.zeros(), c), g.frozenParameter(name + "/mean", Init.zeros(), c),
                g.frozenParameter(name + "/var", Init.zeros(), c), 1e-5f, 0.1f, false);
    }

    private static Map<String, float[]> values(Graph g, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, float[]> v = new LinkedHashMap<>();
        for (Value p : g.parameters()) {
            float[] a = new float[(int) p.shape().elementCount()];
            for (int i = 0; i < a.length; i++) {
                // variances positive and spread, the rest around zero
                a[i] = p.name().endsWith("/var") ? (float) (0.05 + 3 * rng.nextDouble()) : (float) (rng.nextDouble() - 0.5);
            }
            v.put(p.name(), a);
        }
        return v;
    }

    private static float[] run(byte[] model, Map<String, Tensor> feeds) {
        try (InferenceSession s = InferenceSession.open(model, SessionConfig.cpu().withIntraOpThreads(1))) {
            return s.run(feeds).get("y").toFloatArray();
        }
    }

    private static long count(IrGraph ir, Op op) {
        return ir.nodes().stream().filter(n -> n.op() == op).count();
    }

    @Test
    void foldedModelsComputeWhatTheUnfoldedOnesDo() {
        for (boolean alsoUsed : new boolean[] {false, true}) {
            Graph g = graph(alsoUsed);
            Map<String, float[]> params = values(g, 7);
            IrGraph folded = ModelAssembler.inference(g, params);
            assertEquals(alsoUsed ? 1 : 0, count(folded, Op.BATCH_NORMALIZATION),
                    "the second BN stays when the transposed convolution's output is used twice");
            float[] x = new float[5 * 3 * 8 * 8];
            SplittableRandom rng = new SplittableRandom(3);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextDouble();
            }
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            feeds.put("x", Tensor.of(x, 5, 3, 8, 8));
            float[] got = run(OnnxModelWriter.write(folded, "folded", Map.of()), feeds);

            Map<String, Tensor> withParams = new LinkedHashMap<>(feeds);
            for (Value p : g.parameters()) {
                withParams.put(p.name(), Tensor.of(params.get(p.name()), p.shape().dims()));
            }
            IrGraph plain = ModelAssembler.forwardWithParameterInputs(g);
            assertEquals(2, count(plain, Op.BATCH_NORMALIZATION), "with parameters as inputs nothing folds");
            float[] want = run(OnnxModelWriter.write(plain, "plain", Map.of()), withParams);
            assertEquals(want.length, got.length);
            double maxAbs = 0;
            double maxDiff = 0;
            for (int i = 0; i < want.length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(want[i]));
                maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
            }
            assertTrue(maxAbs > 0.1, "the outputs are not trivially small");
            assertTrue(maxDiff <= 2e-6 * maxAbs, "largest difference " + maxDiff + " of " + maxAbs);
        }
    }

    @Test
    void graphsWithoutAFoldablePairAreReturnedAsTheyAre() {
        IrGraph ir = new IrGraph();
        ir.addInput("x", org.onnxtoolkit.api.graph.DataType.FLOAT, Shape.of(Shape.BATCH, 2));
        ir.addNode(Op.RELU, "relu", List.of("x"), List.of("y"), org.onnxtoolkit.api.graph.Attributes.NONE);
        ir.addOutput("y", org.onnxtoolkit.api.graph.DataType.FLOAT, Shape.of(Shape.BATCH, 2));
        assertSame(ir, BatchNormFolding.fold(ir));
    }
}
