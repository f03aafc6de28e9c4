package org.onnxtoolkit.api.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.nn.Layers;

class GraphTest {
    private static final long B = Shape.BATCH;

    private static void assertMessage(Runnable r, String... fragments) {
        GraphBuildException e = assertThrows(GraphBuildException.class, r::run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void linearLayerNamesAndShapes() {
        Graph g = new Graph(Phase.TRAINING);
        Value x = g.input("x", B, 784);
        Value h;
        try (var s = g.scope("encoder")) {
            h = Layers.linear(g, "fc1", x, 400).relu();
        }
        assertEquals(Shape.of(B, 400), h.shape());
        assertEquals(List.of("encoder/fc1/weight", "encoder/fc1/bias"),
                g.parameters().stream().map(Value::name).toList());
        assertEquals(Shape.of(400, 784), g.value("encoder/fc1/weight").shape());
        assertEquals("encoder/fc1/Gemm", g.nodes().get(0).name());
        assertEquals("encoder/Relu", h.name());
        assertSame(h, h.producer().output());
        assertEquals("", g.currentScope());
    }

    @Test
    void broadcastingShapes() {
        Graph g = new Graph(Phase.INFERENCE);
        Value x = g.input("x", B, 3, 4);
        Value row = g.constant("row", new float[4], 4);
        Value col = g.constant("col", new float[3], 3, 1);
        assertEquals(Shape.of(B, 3, 4), x.add(row).shape());
        assertEquals(Shape.of(B, 3, 4), x.mul(col).shape());
        assertEquals(Shape.of(B, 3, 4), x.mul(2f).shape());
        assertMessage(() -> x.add(g.constant("bad", new float[5], 5)), "Add", "[batch, 3, 4]", "[5]", "4 vs 5");
        Value fixed = g.constant("fixed", new float[8], 2, 4);
        Value y = g.input("y", B, 4);
        assertMessage(() -> y.add(fixed), "cannot be broadcast", "batch vs 2");
    }

    @Test
    void gemmAndMatmulValidation() {
        Graph g = new Graph(Phase.INFERENCE);
        Value x = g.input("x", B, 10);
        Value w = g.parameter("w", Init.zeros(), 5, 10);
        assertEquals(Shape.of(B, 5), g.gemm(x, w, null, false, true, 1f, 1f).shape());
        assertMessage(() -> g.gemm(x, w, null, false, false, 1f, 1f), "Gemm", "inner dimensions differ");
        assertMessage(() -> g.matmul(x, w), "MatMul", "A[1] == B[0]");
        assertMessage(() -> g.gemm(x, w, g.constant("c", new float[4], 4), false, true, 1f, 1f), "C [4]");
        assertMessage(() -> g.matmul(g.input("v", 3), w), "MatMul", "rank 2");
    }

    @Test
    void convolutionShapes() {
        Graph g = new Graph(Phase.TRAINING);
        Value x = g.input("x", B, 3, 64, 64);
        Value h = Layers.conv2d(g, "c1", x, 16, 3, ConvOptions.of(2, 1));
        assertEquals(Shape.of(B, 16, 32, 32), h.shape());
        Value up = Layers.convTranspose2d(g, "t1", h, 8, 3, ConvOptions.transposed(2, 1, 1));
        assertEquals(Shape.of(B, 8, 64, 64), up.shape());
        Value bn = Layers.batchNorm2d(g, "bn", up);
        assertEquals(up.shape(), bn.shape());
        assertEquals(1L, bn.producer().attributes().getInt("training_mode", -1));
        assertEquals(Shape.of(16, 8, 3, 3), g.value("t1/weight").shape());
        assertTrue(!g.value("bn/running_mean").trainable());
        Value w = g.value("c1/weight");
        assertMessage(() -> g.conv(up, w, null, ConvOptions.of(1, 0)), "Conv", "8 channels", "expects 3");
        assertMessage(() -> g.conv(g.input("small", B, 3, 1, 1), w, null, ConvOptions.of(1, 0)), "too small");
        assertMessage(() -> ConvOptions.transposed(2, 1, 2), "output_padding must be smaller");
    }

    @Test
    void batchNormInferenceFormAndValidation() {
        Graph g = new Graph(Phase.INFERENCE);
        Value x = g.input("x", B, 4, 2, 2);
        Value y = Layers.batchNorm2d(g, "bn", x);
        assertEquals(0L, y.producer().attributes().getInt("training_mode", -1));
        Value c = g.parameter("c", Init.ones(), 4);
        assertMessage(() -> g.batchNormalization(x, c, c, c, c, 1e-5f, 0.9f, true), "frozen parameters");
        assertMessage(() -> g.batchNormalization(x, g.parameter("s3", Init.ones(), 3), c, c, c, 1e-5f, 0.9f, false),
                "scale [3]", "[4]");
    }

    @Test
    void reshapeFlattenTransposeReduce() {
        Graph g = new Graph(Phase.INFERENCE);
        Value x = g.input("x", B, 1024);
        assertEquals(Shape.of(B, 256, 2, 2), x.reshape(-1, 256, 2, 2).shape());
        assertEquals(Shape.of(B, 32, 32), x.reshape(0, 32, 32).shape());
        assertMessage(() -> x.reshape(-1, 100), "Reshape", "multiply to 1024");
        assertMessage(() -> x.reshape(32, 32), "Reshape");
        Value img = g.input("img", B, 3, 4, 5);
        assertEquals(Shape.of(B, 60), img.flatten().shape());
        assertMessage(() -> g.flatten(img, 2), "Flatten", "merge the batch");
        assertEquals(Shape.of(B, 5, 3, 4), img.transpose(0, 3, 1, 2).shape());
        assertMessage(() -> img.transpose(0, 1, 1, 2), "not a permutation");
        assertEquals(Shape.of(B), img.sum(1, 2, 3).shape());
        assertEquals(Shape.SCALAR, img.mean().shape());
        assertEquals(Shape.of(B, 1, 4, 1), g.reduceSum(img, new long[] {1, -1}, true).shape());
        assertMessage(() -> img.sum(4), "ReduceSum", "axes [4] invalid");
        assertEquals(DataType.INT64, g.cast(x, DataType.INT64).type());
        assertMessage(() -> g.cast(x, DataType.INT64).exp(), "Exp", "expected a float input");
    }

    @Test
    void namesAreCheckedForDuplicatesReservedSuffixesAndSyntax() {
        Graph g = new Graph(Phase.TRAINING);
        g.input("x", B, 2);
        assertMessage(() -> g.input("x", B, 2), "duplicate name");
        assertMessage(() -> g.input("noise_grad", B, 2), "reserved", "_grad");
        assertMessage(() -> g.parameter("w_grad.accumulation.buffer", Init.zeros(), 2), "reserved");
        assertMessage(() -> g.input("lazy_reset_grad", DataType.BOOL, 1), "reserved");
        assertMessage(() -> g.input("bad name", 1), "invalid");
        assertMessage(() -> g.input("a//b", 1), "invalid");
        assertMessage(() -> g.scope("x::y"), "invalid");
        Value x = g.value("x");
        assertMessage(() -> g.output("out_grad", x), "reserved");
        g.output("recon", x.relu());
        assertMessage(() -> g.output("recon", x), "declared twice");
        assertMessage(() -> g.parameter("p", Init.zeros(), B, 2), "fixed shape");
        assertMessage(() -> g.constant("c", new float[3], 2), "3 values do not fill shape [2]");
    }

    @Test
    void valuesOfAnotherGraphAreRejected() {
        Graph a = new Graph(Phase.TRAINING);
        Graph b = new Graph(Phase.TRAINING);
        Value x = a.input("x", B, 2);
        Value y = b.input("y", B, 2);
        assertMessage(() -> x.add(y), "Add", "belongs to another graph");
        assertMessage(() -> b.output("o", x), "another graph");
    }

    @Test
    void scopesMustCloseInOrder() {
        Graph g = new Graph(Phase.TRAINING);
        var outer = g.scope("a");
        var inner = g.scope("b");
        assertEquals("a/b", g.currentScope());
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
        outer.close();
        assertEquals("", g.currentScope());
    }

    @Test
    void pytorchDefaultInitialisationBounds() {
        Init.KaimingUniform k = (Init.KaimingUniform) Init.kaimingUniform(784);
        assertEquals(1.0 / Math.sqrt(784), k.bound(), 1e-12);
        float[] w = new float[10_000];
        k.fill(w, new SplittableRandom(1));
        double max = 0;
        double sum = 0;
        for (float v : w) {
            max = Math.max(max, Math.abs(v));
            sum += v;
        }
        assertTrue(max <= k.bound() && max > 0.95 * k.bound(), "max " + max);
        assertEquals(0, sum / w.length, 0.002);
        assertEquals(1.0 / Math.sqrt(27), ((Init.FanInUniform) Init.fanInUniform(27)).bound(), 1e-12);
        float[] ones = new float[3];
        Init.ones().fill(ones, new SplittableRandom(1));
        assertEquals(1f, ones[2]);
        assertThrows(GraphBuildException.class, () -> Init.kaimingUniform(0));
    }
    @Test
    void poolingConcatSoftmaxDropoutAndClipShapesAndMessages() {
        Graph g = new Graph(Phase.TRAINING);
        Value x = g.input("x", B, 3, 7, 7);
        assertEquals(Shape.of(B, 3, 3, 3), g.maxPool(x, new long[] {2, 2}, 2, 0).shape());
        assertEquals(Shape.of(B, 3, 4, 4), g.averagePool(x, new long[] {3, 3}, 2, 1).shape());
        assertEquals(Shape.of(B, 3, 1, 1), g.globalAveragePool(x).shape());
        assertMessage(() -> g.maxPool(x, new long[] {2, 2}, 2, 2), "MaxPool", "padding 2 must be at most half");
        assertMessage(() -> g.maxPool(x, new long[] {8, 8}, 1, 0), "MaxPool", "too small for kernel [8, 8]");
        assertMessage(() -> g.averagePool(g.input("v", B, 6), new long[] {2, 2}, 1, 0), "AveragePool", "rank 4");

        Value a = g.input("a", B, 2);
        Value b = g.input("b", B, 5);
        assertEquals(Shape.of(B, 7), g.concat(List.of(a, b), -1).shape());
        assertMessage(() -> g.concat(List.of(a, b), 0), "Concat", "cannot join along the batch dimension");
        assertMessage(() -> g.concat(List.of(a, g.input("c", B, 2, 1)), 1), "Concat", "different ranks");

        assertEquals(1L, g.softmax(b, -1).producer().attributes().getInt("axis", -1));
        assertMessage(() -> g.logSoftmax(b, 2), "LogSoftmax", "axis 2 out of range");

        assertEquals(Op.DROPOUT, g.dropout(b, 0.5f).producer().op());
        assertMessage(() -> g.dropout(b, 1f), "Dropout", "ratio must be in [0, 1)");
        Graph inference = new Graph(Phase.INFERENCE);
        assertEquals(Op.IDENTITY, inference.dropout(inference.input("x", B, 4), 0.5f).producer().op(),
                "no dropout outside training");

        assertEquals(Shape.of(B, 5), g.clip(b, 0f, 6f).shape());
        assertMessage(() -> g.clip(b, 1f, 0f), "Clip", "expected min <= max");
    }
}
