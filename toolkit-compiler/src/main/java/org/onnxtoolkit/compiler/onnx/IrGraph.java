package org.onnxtoolkit.compiler.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.onnxtoolkit.api.graph.Attributes;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Shape;

/**
 * A mutable ONNX graph as the compiler assembles it: typed graph inputs and outputs, initializers and
 * nodes of any row of the operator table ({@link Op}: the builder operations plus what lowering, gradient
 * rules and the optimizer use, standard ONNX and {@code com.microsoft}). Unlike the plugin-facing
 * {@link org.onnxtoolkit.api.graph.Graph} it does no shape inference: the compiler that fills it has already
 * validated shapes. It checks every node against its row of the table (arity, absent optional ports,
 * attribute names and kinds) and that names are unique across inputs, initializers and node outputs, so a
 * compiler bug fails here, naming the node, instead of inside ONNX Runtime.
 *
 * <p>Not thread-safe.
 */
public final class IrGraph {
    /** A node; unused optional outputs are the empty string, as in ONNX. */
    public record IrNode(Op op, String name, List<String> inputs, List<String> outputs, Attributes attributes) {
        public IrNode {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }

        /** The ONNX operator type. */
        public String opType() {
            return op.onnxName();
        }

        /** The operator's domain: {@link Op#ONNX_DOMAIN} or {@link Op#MS_DOMAIN}. */
        public String domain() {
            return op.domain();
        }
    }

    /** A typed graph input or output; {@link Shape#BATCH} becomes the symbolic dimension {@code batch}. */
    public record IrValueInfo(String name, DataType type, Shape shape) {
    }

    /** A constant tensor stored in the model; exactly one of the data arrays is set. */
    public record IrInitializer(String name, DataType type, Shape shape, float[] floats, long[] longs,
                                boolean[] bools) {
    }

    private final List<IrValueInfo> inputs = new ArrayList<>();
    private final List<IrValueInfo> outputs = new ArrayList<>();
    private final List<IrInitializer> initializers = new ArrayList<>();
    private final List<IrNode> nodes = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();
    private int counter;

    public void addInput(String name, DataType type, Shape shape) {
        claim(name);
        inputs.add(new IrValueInfo(name, type, shape));
    }

    /** Declares an existing value (input, initializer or node output) as a graph output. */
    public void addOutput(String name, DataType type, Shape shape) {
        if (!names.contains(name)) {
            throw new IllegalArgumentException("graph output '" + name + "' is not produced by the graph");
        }
        for (IrValueInfo o : outputs) {
            if (o.name().equals(name)) {
                throw new IllegalArgumentException("graph output '" + name + "' declared twice");
            }
        }
        outputs.add(new IrValueInfo(name, type, shape));
    }

    public void addFloatInitializer(String name, float[] data, Shape shape) {
        claim(name);
        initializers.add(new IrInitializer(name, DataType.FLOAT, shape, data.clone(), null, null));
    }

    public void addLongInitializer(String name, long[] data, Shape shape) {
        claim(name);
        initializers.add(new IrInitializer(name, DataType.INT64, shape, null, data.clone(), null));
    }

    public void addBoolInitializer(String name, boolean[] data, Shape shape) {
        claim(name);
        initializers.add(new IrInitializer(name, DataType.BOOL, shape, null, null, data.clone()));
    }

    /**
     * Adds a node. Output names must be new (or empty, for an absent optional output); input names must
     * already exist (or be empty, for an absent optional input).
     *
     * @throws IllegalArgumentException when the node does not fit its row of the operator table, or a name
     *                                  is undefined or taken
     */
    public void addNode(Op op, String name, List<String> in, List<String> out, Attributes attributes) {
        op.checkNode(name, in, out, attributes);
        for (String i : in) {
            if (!i.isEmpty() && !names.contains(i)) {
                throw new IllegalArgumentException(op.onnxName() + " '" + name + "': input '" + i + "' is not defined");
            }
        }
        if (!nodeNames.add(name)) {
            throw new IllegalArgumentException("duplicate node name '" + name + "'");
        }
        for (String o : out) {
            if (!o.isEmpty()) {
                claim(o);
            }
        }
        nodes.add(new IrNode(op, name, in, out, attributes));
    }

    /** A new unique name built from {@code base}. */
    public String freshName(String base) {
        String candidate = base;
        while (names.contains(candidate)) {
            candidate = base + "_" + (++counter);
        }
        return candidate;
    }

    /** A new node name built from {@code base}, unique among node and value names. */
    public String freshNodeName(String base) {
        String candidate = base;
        while (nodeNames.contains(candidate) || names.contains(candidate)) {
            candidate = base + "_" + (++counter);
        }
        return candidate;
    }

    public boolean isDefined(String name) {
        return names.contains(name);
    }

    private void claim(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty value name");
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate value name '" + name + "'");
        }
    }

    public List<IrValueInfo> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<IrValueInfo> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    public List<IrInitializer> initializers() {
        return Collections.unmodifiableList(initializers);
    }

    public List<IrNode> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** True when some node is in the {@code com.microsoft} domain. */
    public boolean usesMicrosoftDomain() {
        return nodes.stream().anyMatch(n -> Op.MS_DOMAIN.equals(n.domain()));
    }
}
