package org.onnxtoolkit.compiler.autodiff;

import java.util.ArrayList;
import java.util.List;
import org.onnxtoolkit.api.graph.Attributes;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.compiler.onnx.IrGraph;

/**
 * Adds compiler-generated nodes to an {@link IrGraph} under a name prefix. Generated names contain
 * {@code ::}, which plugin names cannot, so they never collide with a plugin's values. Not thread-safe.
 */
final class Emitter {
    private final IrGraph ir;
    private final String prefix;

    Emitter(IrGraph ir, String prefix) {
        this.ir = ir;
        this.prefix = prefix;
    }

    IrGraph ir() {
        return ir;
    }

    /** A node with one output and no attributes; returns the output name. */
    String node(Op op, List<String> inputs) {
        return node(op, inputs, Attributes.NONE);
    }

    /** A node with one output; returns the output name. */
    String node(Op op, List<String> inputs, Attributes attrs) {
        String out = ir.freshName(prefix + "::" + op.onnxName());
        ir.addNode(op, out, inputs, List.of(out), attrs);
        return out;
    }

    /**
     * A node with several outputs; {@code wanted[i]} false leaves output {@code i} absent (empty name).
     * Returns the output names, empty strings for absent ones.
     */
    List<String> multi(Op op, List<String> inputs, boolean[] wanted, Attributes attrs) {
        List<String> outs = new ArrayList<>();
        int last = -1;
        for (int i = 0; i < wanted.length; i++) {
            if (wanted[i]) {
                last = i;
            }
        }
        for (int i = 0; i <= last; i++) {
            outs.add(wanted[i] ? ir.freshName(prefix + "::" + op.onnxName() + "_" + i) : "");
        }
        ir.addNode(op, ir.freshNodeName(prefix + "::" + op.onnxName()), inputs, outs, attrs);
        while (outs.size() < wanted.length) {
            outs.add("");
        }
        return outs;
    }

    /** A float32 scalar constant. */
    String scalar(float value) {
        String name = ir.freshName(prefix + "::const");
        ir.addFloatInitializer(name, new float[] {value}, Shape.SCALAR);
        return name;
    }

    /** A float32 constant of the given shape, row-major. */
    String floats(float[] values, long... dims) {
        String name = ir.freshName(prefix + "::floats");
        ir.addFloatInitializer(name, values, Shape.of(dims));
        return name;
    }

    /** A rank-1 int64 constant. */
    String ints(long... values) {
        String name = ir.freshName(prefix + "::ints");
        ir.addLongInitializer(name, values, Shape.of(values.length));
        return name;
    }

    String cast(String input, DataType to) {
        return node(Op.CAST, List.of(input), Attributes.builder().put("to", (long) to.onnxCode()).build());
    }
}
