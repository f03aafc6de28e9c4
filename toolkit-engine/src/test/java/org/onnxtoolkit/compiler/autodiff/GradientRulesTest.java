package org.onnxtoolkit.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.onnxtoolkit.api.graph.ConvOptions;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.GraphBuildException;
import org.onnxtoolkit.api.graph.Init;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.nn.Layers;

/**
 * Every gradient rule against central finite differences through ONNX Runtime, including broadcasting
 * and fan-out. Writes the table of maximum errors to {@code target/gradient-check.md}.
 */
class GradientRulesTest {
    private static final long B = Shape.BATCH;
    private static final List<GradientChecker.Result> RESULTS = new ArrayList<>();

    @TempDir
    static Path work;

    private static Value p(Graph g, String name, long... dims) {
        return g.parameter(name, Init.uniform(-1, 1), dims);
    }

    private static Value positive(Graph g, String name, long... dims) {
        return g.parameter(name, Init.uniform(0.5, 2), dims);
    }

    /** A constant holding the levels 0.3 (i - n/2), i = 0 .. n-1, in a fixed shuffled order. */
    private static Value levels(Graph g, long... dims) {
        int n = (int) Shape.of(dims).elementCount();
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(0.3f * (i - n / 2));
        }
        java.util.Collections.shuffle(values, new java.util.Random(n));
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = values.get(i);
        }
        return g.constant("levels", data, dims);
    }

    private static Arguments c(String label, Function<Graph, Value> body) {
        return Arguments.of(label, GradientKernels.ORT_FUSED, body);
    }

    private static Arguments both(String label, Function<Graph, Value> body, List<Arguments> into) {
        into.add(Arguments.of(label + " (ORT kernel)", GradientKernels.ORT_FUSED, body));
        return Arguments.of(label + " (standard ops)", GradientKernels.STANDARD_ONNX, body);
    }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        a.add(c("Add, broadcast [B,3,4]+[4]+[3,1]", g -> g.input("x", B, 3, 4).add(p(g, "a", 4)).add(p(g, "b", 3, 1))));
        a.add(c("Add, fan-out a*a + a", g -> {
            Value x = p(g, "a", 3, 4);
            return x.mul(x).add(x);
        }));
        a.add(c("Sub, broadcast both operands", g -> p(g, "a", 4).sub(p(g, "b", 3, 1))));
        a.add(c("Mul, broadcast [B,3,4]*[4]*[3,1]", g -> g.input("x", B, 3, 4).mul(p(g, "a", 4)).mul(p(g, "b", 3, 1))));
        a.add(c("Div, broadcast, both operands", g -> p(g, "a", 2, 3).div(positive(g, "b", 3))));
        a.add(c("Neg", g -> p(g, "a", 5).neg()));
        a.add(c("Exp", g -> p(g, "a", 5).exp()));
        a.add(c("Log", g -> positive(g, "a", 5).log()));
        a.add(c("Sqrt", g -> positive(g, "a", 5).sqrt()));
        a.add(c("Identity", g -> g.identity(p(g, "a", 5))));
        a.add(both("Relu", g -> g.input("x", B, 6).mul(p(g, "a", 6)).relu(), a));
        a.add(both("LeakyRelu(0.2)", g -> g.input("x", B, 6).mul(p(g, "a", 6)).leakyRelu(0.2f), a));
        a.add(both("Sigmoid", g -> g.input("x", B, 6).mul(p(g, "a", 6)).mul(3f).sigmoid(), a));
        a.add(both("Tanh", g -> g.input("x", B, 6).mul(p(g, "a", 6)).mul(2f).tanh(), a));
        a.add(c("Softplus", g -> g.input("x", B, 6).mul(p(g, "a", 6)).mul(4f).softplus()));
        // softplus(l) - t l is lowered and differentiated as one unit (BceWithLogits)
        a.add(c("BCE from logits, fused, summed (unexpanded gradient)", g -> {
            Value l = g.input("x", B, 2, 6).mul(p(g, "a", 2, 6)).mul(4f);
            return l.softplus().sub(g.input("t", B, 2, 6).sigmoid().mul(l)).sum(1);
        }));
        a.add(c("BCE from logits, fused with its per-image sum (logarithms of products)", g -> {
            Value l = g.input("x", B, 2, 6).mul(p(g, "a", 2, 6)).mul(4f);
            return l.softplus().sub(g.input("t", B, 2, 6).mul(l)).sum(1, 2);
        }));
        a.add(c("BCE from logits, fused, target [6] with a gradient", g -> {
            Value l = g.input("x", B, 6).mul(p(g, "a", 6)).mul(4f);
            return l.softplus().sub(l.mul(p(g, "b", 6).sigmoid()));
        }));
        a.add(c("MatMul, both operands", g -> p(g, "a", 3, 5).matmul(p(g, "b", 5, 4))));
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                a.add(c("Gemm transA=" + ta + " transB=" + tb + " alpha=0.5 beta=2 C[4]", g -> {
                    Value aa = ta ? p(g, "a", 5, 3) : p(g, "a", 3, 5);
                    Value bb = tb ? p(g, "b", 4, 5) : p(g, "b", 5, 4);
                    return g.gemm(aa, bb, p(g, "c", 4), ta, tb, 0.5f, 2f);
                }));
            }
        }
        a.add(c("Gemm, input [B,5], C[1,4]", g -> g.gemm(g.input("x", B, 5), p(g, "w", 4, 5), p(g, "c", 1, 4),
                false, true, 1f, 1f)));
        a.add(c("Conv k3 s2 p1 + bias, input and weight gradients", g -> {
            Value h = Layers.conv2d(g, "c1", g.input("x", B, 2, 6, 6), 3, 3, ConvOptions.of(1, 1));
            return Layers.conv2d(g, "c2", h, 4, 3, ConvOptions.of(2, 1));
        }));
        a.add(c("ConvTranspose k3 s2 p1 output_padding 1 + bias", g -> {
            Value h = Layers.conv2d(g, "c1", g.input("x", B, 2, 3, 3), 3, 3, ConvOptions.of(1, 1));
            return Layers.convTranspose2d(g, "t1", h, 2, 3, ConvOptions.transposed(2, 1, 1));
        }));
        a.add(c("BatchNormalization (training form)", g -> {
            Value h = Layers.conv2d(g, "c1", g.input("x", B, 2, 4, 4), 3, 3, ConvOptions.of(1, 1));
            return Layers.batchNorm2d(g, "bn", h);
        }));
        a.add(c("Reshape with batch", g -> g.input("x", B, 12).mul(p(g, "a", 12)).reshape(-1, 3, 4).mul(p(g, "b", 4))));
        a.add(c("Flatten", g -> g.input("x", B, 2, 3).mul(p(g, "a", 2, 3)).flatten().mul(p(g, "b", 6))));
        a.add(c("Transpose", g -> p(g, "a", 2, 3, 4).transpose(2, 0, 1).mul(p(g, "b", 3))));
        a.add(c("ReduceSum axes [1], keepdims 0", g -> g.input("x", B, 3, 4).mul(p(g, "a", 3, 4)).sum(1)));
        a.add(c("ReduceSum axes [0,2], keepdims 1", g -> g.reduceSum(p(g, "a", 2, 3, 4), new long[] {0, 2}, true)));
        a.add(c("ReduceMean over the batch axis", g -> g.input("x", B, 4).mul(p(g, "a", 4)).mean(0)));
        a.add(c("ReduceMean all axes, keepdims 1", g -> g.reduceMean(p(g, "a", 3, 4), new long[0], true)));
        a.add(c("Mean squared error: the mean of a square, its gradient not expanded", g -> {
            Value d = g.input("x", B, 2, 3).sub(p(g, "a", 2, 3));
            return g.reduceMean(d.mul(d), new long[] {1, 2}, false);
        }));
        a.add(c("Sum of a product whose smaller operand needs a gradient too", g -> g.reduceSum(
                p(g, "a", 3).mul(g.input("x", B, 3).mul(p(g, "b", 3))), new long[] {1}, false)));
        a.add(c("DepthToSpace r=2, CRD (pixel shuffle)", g -> g.depthToSpace(
                g.input("x", B, 8, 2, 3).mul(p(g, "a", 8, 1, 1)), 2, true).mul(p(g, "b", 4, 6))));
        a.add(c("DepthToSpace r=2, DCR", g -> g.depthToSpace(
                g.input("x", B, 8, 2, 3).mul(p(g, "a", 8, 1, 1)), 2, false).mul(p(g, "b", 4, 6))));
        a.add(c("Cast float to float", g -> g.cast(p(g, "a", 4), DataType.FLOAT).mul(p(g, "b", 4))));
        // onnx-import: the operations exported CNNs and MLPs need
        // Max pooling is not smooth where two window elements tie.
        // A constant of distinct levels 0.3 apart (centred on 0, for float precision) added to inputs in
        // [-0.11, 0.11] fixes which element wins in every window, wherever that is.
        a.add(c("MaxPool k2 s2", g -> g.maxPool(g.input("x", B, 2, 4, 4).mul(0.01f).add(p(g, "a", 2, 4, 4).mul(0.1f))
                .add(levels(g, 2, 4, 4)), new long[] {2, 2}, 2, 0)));
        a.add(c("MaxPool k3 s2 p1, overlapping windows", g -> g.maxPool(g.input("x", B, 2, 5, 5).mul(0.01f)
                .add(p(g, "a", 2, 5, 5).mul(0.1f)).add(levels(g, 2, 5, 5)), new long[] {3, 3}, 2, 1)));
        a.add(c("AveragePool k2 s2 on 5x5 (last row and column unused)", g -> g.averagePool(
                g.input("x", B, 2, 5, 5).mul(p(g, "a", 2, 5, 5)), new long[] {2, 2}, 2, 0)));
        a.add(c("AveragePool k3 s2 p1, padded zeros counted", g -> g.averagePool(
                g.input("x", B, 2, 5, 5).mul(p(g, "a", 2, 5, 5)), new long[] {3, 3}, 2, 1)));
        a.add(c("GlobalAveragePool", g -> g.globalAveragePool(g.input("x", B, 2, 3, 3).mul(p(g, "a", 2, 3, 3)))));
        a.add(c("Concat axis 1, both inputs", g -> g.concat(List.of(g.input("x", B, 2).mul(p(g, "a", 2)),
                g.input("u", B, 1).mul(p(g, "b", 1, 3))), 1)));
        a.add(c("Softmax axis 1", g -> g.softmax(g.input("x", B, 5).mul(p(g, "a", 5)).mul(2f), 1)));
        a.add(c("LogSoftmax axis -1", g -> g.logSoftmax(g.input("x", B, 2, 5).mul(p(g, "a", 2, 5)).mul(2f), -1)));
        a.add(c("Dropout (training form, ratio 0: the mask is all ones, so the step is deterministic)",
                g -> g.dropout(g.input("x", B, 6).mul(p(g, "a", 6)), 0f)));
        a.add(c("Clip [-0.5, 0.5]", g -> g.clip(g.input("x", B, 6).mul(p(g, "a", 6)), -0.5f, 0.5f)));
        return a.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesCentralDifferences(String label, GradientKernels kernels, Function<Graph, Value> body)
            throws IOException {
        GradientChecker.Result r = GradientChecker.check(label, kernels, body, work, 1e-2);
        synchronized (RESULTS) {
            RESULTS.add(r);
        }
        assertTrue(r.checked() > 0, "nothing checked");
        assertTrue(r.maxRelError() < 5e-3, () -> label + ": max relative error " + r.maxRelError()
                + ", max absolute error " + r.maxAbsError());
    }

    /**
     * The operator table says which builder operations are differentiable; each of them must have its rule
     * checked here. A new differentiable row without a case above fails this test.
     */
    @Test
    void everyDifferentiableBuilderOperationHasACheckedRule() {
        Set<Op> checked = EnumSet.noneOf(Op.class);
        cases().forEach(a -> {
            @SuppressWarnings("unchecked")
            Function<Graph, Value> body = (Function<Graph, Value>) a.get()[2];
            Graph g = new Graph(Phase.TRAINING);
            body.apply(g);
            g.nodes().forEach(n -> checked.add(n.op()));
        });
        Set<Op> missing = EnumSet.noneOf(Op.class);
        for (Op op : Op.values()) {
            if (op.isBuilderOp() && op.differentiable() && !checked.contains(op)) {
                missing.add(op);
            }
        }
        assertEquals(Set.of(), missing, "differentiable builder operations without a finite-difference case");
    }

    /** A builder operation declared not differentiable passes no gradient: a loss reached only through it has none. */
    @Test
    void noGradientFlowsThroughOperationsDeclaredNotDifferentiable() {
        for (Op op : Op.values()) {
            if (!op.isBuilderOp() || op.differentiable()) {
                continue;
            }
            assertEquals(Op.RANDOM_NORMAL_LIKE, op, "add a case here for the new non-differentiable " + op);
            Graph g = new Graph(Phase.TRAINING);
            Value noise = g.randomNormalLike(p(g, "a", 3));
            g.output("loss", noise.mul(noise).sum());
            GraphBuildException e = assertThrows(GraphBuildException.class,
                    () -> ModelAssembler.training(g, "loss", GradientKernels.ORT_FUSED, false, true));
            assertTrue(e.getMessage().contains("does not depend on any trainable parameter"), e.getMessage());
        }
    }

    @AfterAll
    static void writeReport() throws IOException {
        StringBuilder sb = new StringBuilder("| rule | elements checked | max abs error | max rel error |\n|---|---|---|---|\n");
        for (GradientChecker.Result r : RESULTS) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.2e | %.2e |%n", r.label(), r.checked(),
                    r.maxAbsError(), r.maxRelError()));
        }
        Path out = Path.of("target", "gradient-check.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, sb.toString(), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
