package org.onnxtoolkit.compiler.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.graph.Attributes;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Shape;

/** The artifact writers' graph rejects malformed nodes with a message naming what is wrong. */
class IrGraphTest {
    @Test
    void everyPluginOperatorIsKnown() {
        for (Op op : Op.values()) {
            assertTrue(IrGraph.KNOWN_ONNX_OPS.contains(op.onnxName()), op + " missing from the known operators");
        }
    }

    @Test
    void malformedNodesAreRejected() {
        IrGraph g = new IrGraph();
        g.addInput("x", DataType.FLOAT, Shape.of(Shape.BATCH, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode("Frobnicate", IrGraph.ONNX_DOMAIN, "n", List.of("x"), List.of("y"), Attributes.NONE));
        assertTrue(e.getMessage().contains("unknown operator 'Frobnicate'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode("ReluGrad", IrGraph.ONNX_DOMAIN, "n", List.of("x"), List.of("y"), Attributes.NONE));
        assertTrue(e.getMessage().contains("domain ''"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode("Relu", IrGraph.ONNX_DOMAIN, "n", List.of("nope"), List.of("y"), Attributes.NONE));
        assertTrue(e.getMessage().contains("input 'nope' is not defined"), e.getMessage());
        g.addNode("Relu", IrGraph.ONNX_DOMAIN, "n", List.of("x"), List.of("y"), Attributes.NONE);
        e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode("Relu", IrGraph.ONNX_DOMAIN, "n2", List.of("x"), List.of("y"), Attributes.NONE));
        assertTrue(e.getMessage().contains("duplicate value name 'y'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> g.addNode("Relu", IrGraph.ONNX_DOMAIN, "n", List.of("x"), List.of("z"), Attributes.NONE));
        assertTrue(e.getMessage().contains("duplicate node name 'n'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.addOutput("missing", DataType.FLOAT, Shape.SCALAR));
        assertTrue(e.getMessage().contains("not produced"), e.getMessage());
    }
}
