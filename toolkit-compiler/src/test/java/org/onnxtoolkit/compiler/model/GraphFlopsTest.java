package org.onnxtoolkit.compiler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.onnxtoolkit.api.graph.ConvOptions;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Init;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.junit.jupiter.api.Test;

class GraphFlopsTest {

    private static Init init(long fanIn) {
        return Init.fanInUniform(fanIn);
    }

    @Test
    void anMlpCountsEveryProductForwardAndTheGradientsThatAreNeeded() {
        // 784 -> 400 (relu) -> 20: the first layer's input is the images, so backward has only its weight
        // gradient; the second layer needs both.
        Graph g = new Graph(Phase.TRAINING);
        Value x = g.input("x", Shape.BATCH, 784);
        Value w1 = g.parameter("w1", init(784), 400, 784);
        Value b1 = g.parameter("b1", init(784), 400);
        Value h = g.gemm(x, w1, b1, false, true, 1f, 1f).relu();
        Value w2 = g.parameter("w2", init(400), 400, 20);
        g.output("y", g.matmul(h, w2));
        GraphFlops f = GraphFlops.of(g);
        long l1 = 2L * 784 * 400;
        long l2 = 2L * 400 * 20;
        assertEquals(l1 + l2, f.forward());
        assertEquals(l1 + 2 * l2, f.backward());
        assertEquals(2 * l1 + 3 * l2, f.training());
    }

    @Test
    void frozenWeightsAndConstantsNeedNoGradient() {
        Graph g = new Graph(Phase.TRAINING);
        Value x = g.input("x", Shape.BATCH, 8);
        Value frozen = g.frozenParameter("frozen", init(8), 8, 4);
        Value h = g.matmul(x, frozen);
        Value w = g.parameter("w", init(4), 4, 2);
        g.output("y", g.matmul(h, w));
        GraphFlops f = GraphFlops.of(g);
        // the first product has no trainable operand: forward only; the second needs only its weight's
        assertEquals(2L * 8 * 4 + 2L * 4 * 2, f.forward());
        assertEquals(2L * 4 * 2, f.backward());
    }

    @Test
    void convolutionsCountTheirKernelWindows() {
        Graph g = new Graph(Phase.TRAINING);
        Value x = g.input("x", Shape.BATCH, 3, 64, 64);
        Value w = g.parameter("w", init(27), 16, 3, 3, 3);
        Value y = g.conv(x, w, null, new ConvOptions(2, 1, 1, 0)); // [N, 16, 32, 32]
        Value wt = g.parameter("wt", init(16), 16, 3, 4, 4);
        Value back = g.convTranspose(y, wt, null, new ConvOptions(2, 1, 1, 0)); // [N, 3, 64, 64]
        g.output("y", back);
        GraphFlops f = GraphFlops.of(g);
        long conv = 2L * 16 * 32 * 32 * 3 * 3 * 3;
        long deconv = 2L * 16 * 32 * 32 * 3 * 4 * 4;
        assertEquals(conv + deconv, f.forward());
        assertEquals(conv + 2 * deconv, f.backward());
    }
}
