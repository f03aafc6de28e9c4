package org.onnxtoolkit.compiler.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.graph.Attributes;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Shape;

/**
 * The artifact writers' graph takes its operators from the operator table, accepts every row of it with
 * any arity and attributes the row allows, and rejects malformed nodes with a message naming what is wrong.
 */
class IrGraphTest {
    /** A value of each attribute kind. */
    static Object sample(Op.AttributeKind kind) {
        return switch (kind) {
            case INT -> 1L;
            case FLOAT -> 0.5f;
            case INTS -> new long[] {1, 2};
            case FLOATS -> new float[] {0.5f};
            case STRING -> "NOTSET";
        };
    }

    static Attributes attributes(Op op, boolean all) {
        Attributes.Builder b = Attributes.builder();
        op.attributes().forEach((name, spec) -> {
            if (all || spec.required()) {
                Object v = sample(spec.kind());
                if (v instanceof Long l) {
                    b.put(name, l);
                } else if (v instanceof Float f) {
                    b.put(name, f);
                } else if (v instanceof long[] a) {
                    b.put(name, a);
                } else if (v instanceof float[] a) {
                    b.put(name, a);
                } else {
                    b.put(name, (String) v);
                }
            }
        });
        return b.build();
    }

    private static List<String> names(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    /** A graph with inputs x0..x(n-1) defined. */
    private static IrGraph withInputs(int n) {
        IrGraph g = new IrGraph();
        for (String x : names("x", n)) {
            g.addInput(x, DataType.FLOAT, Shape.of(Shape.BATCH, 2));
        }
        return g;
    }

    @Test
    void everyRowOfTheOperatorTableIsAcceptedWithItsFewestAndMostPorts() {
        for (Op op : Op.values()) {
            int fewestIn = op.minInputs();
            int mostIn = op.maxInputs() == Integer.MAX_VALUE ? fewestIn + 2 : op.maxInputs();
            int mostOut = op.maxOutputs();
            IrGraph g = withInputs(mostIn);
            g.addNode(op, "fewest", names("x", fewestIn), names("fewest_y", Math.max(op.minOutputs(), 1)),
                    attributes(op, false));
            g.addNode(op, "most", names("x", mostIn), names("most_y", mostOut), attributes(op, true));
            assertEquals(List.of(op, op), g.nodes().stream().map(IrGraph.IrNode::op).toList(), op.name());
            assertEquals(op.onnxName(), g.nodes().get(0).opType());
            assertEquals(op.domain(), g.nodes().get(0).domain());
        }
    }

    @Test
    void absentOptionalPortsAreEmptyNamesAndRequiredOnesCannotBeAbsent() {
        IrGraph g = withInputs(3);
        g.addNode(Op.CONV_GRAD, "grad", List.of("x0", "x1", "x2"), List.of("", "dW"), Attributes.NONE);
        g.addNode(Op.GEMM, "gemm", List.of("x0", "x1", ""), List.of("y"), Attributes.NONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode(Op.GEMM, "g2", List.of("x0", "", "x2"), List.of("y2"), Attributes.NONE));
        assertTrue(e.getMessage().contains("Gemm 'g2': input 1 (B) is required but absent"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode(Op.RELU, "r", List.of("x0"), List.of(""), Attributes.NONE));
        assertTrue(e.getMessage().contains("output 0 (Y) is required but absent"), e.getMessage());
    }

    @Test
    void nodesThatDoNotFitTheirRowAreRejected() {
        IrGraph g = withInputs(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode(Op.ADD, "n", List.of("x0"), List.of("y"), Attributes.NONE));
        assertTrue(e.getMessage().contains("Add 'n': expected 2 inputs (A, B), got 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode(Op.CONV, "n", List.of("x0", "x1", "x2", "x0"), List.of("y"), Attributes.NONE));
        assertTrue(e.getMessage().contains("expected 2 to 3 inputs (X, W, B (optional)), got 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode(Op.SUM, "n", List.of(), List.of("y"), Attributes.NONE));
        assertTrue(e.getMessage().contains("expected 1 or more inputs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.addNode(Op.RELU, "n", List.of("x0"), List.of("y"),
                Attributes.builder().put("alpha", 0.1f).build()));
        assertTrue(e.getMessage().contains("Relu has no attribute 'alpha' (its attributes: none)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.addNode(Op.LEAKY_RELU, "n", List.of("x0"),
                List.of("y"), Attributes.builder().put("alpha", 1L).build()));
        assertTrue(e.getMessage().contains("attribute 'alpha' must be FLOAT, got Long"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode(Op.CAST, "n", List.of("x0"), List.of("y"), Attributes.NONE));
        assertTrue(e.getMessage().contains("Cast 'n': the required attribute 'to' is missing"), e.getMessage());
        assertTrue(g.nodes().isEmpty(), "a rejected node leaves the graph unchanged");
    }

    @Test
    void namesAreChecked() {
        IrGraph g = new IrGraph();
        g.addInput("x", DataType.FLOAT, Shape.of(Shape.BATCH, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode(Op.RELU, "n", List.of("nope"), List.of("y"), Attributes.NONE));
        assertTrue(e.getMessage().contains("input 'nope' is not defined"), e.getMessage());
        g.addNode(Op.RELU, "n", List.of("x"), List.of("y"), Attributes.NONE);
        e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode(Op.RELU, "n2", List.of("x"), List.of("y"), Attributes.NONE));
        assertTrue(e.getMessage().contains("duplicate value name 'y'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode(Op.RELU, "n", List.of("x"), List.of("z"), Attributes.NONE));
        assertTrue(e.getMessage().contains("duplicate node name 'n'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.addOutput("missing", DataType.FLOAT, Shape.SCALAR));
        assertTrue(e.getMessage().contains("not produced"), e.getMessage());
    }
}
