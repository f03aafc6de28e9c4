package org.onnxtoolkit.api.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The operator table: one row per ONNX operator the toolkit ever writes, with everything the graph builder,
 * the compiler's lowering and autodiff, and the IR validation need to know about it: the ONNX name and domain,
 * the version of the definition in force at the opset the models import, the inputs and outputs (which are
 * optional), the attributes (kind, and whether ONNX requires them), and whether a gradient flows through it.
 *
 * <p>Two levels of rows:
 * <ul>
 *   <li>{@link Level#BUILDER}: what a plugin's {@link Graph} can contain, created only by {@code Graph}'s
 *       typed methods, which check shapes and types. Each is {@link #differentiable()}, with a gradient rule
 *       in the compiler, or declared not differentiable (no gradient flows through it).</li>
 *   <li>{@link Level#IR}: what only the compiler emits, when it lowers a builder node into several ONNX nodes,
 *       in gradient rules (ONNX Runtime's {@code com.microsoft} training kernels such as {@code ReluGrad}), or
 *       in the optimizer model. They never appear in a plugin's graph and are never differentiated.</li>
 * </ul>
 *
 * <p>Default-domain rows follow ONNX opset {@value #OPSET} exactly (a test compares them with the ONNX
 * reference's schemas); {@code com.microsoft} rows follow ONNX Runtime's contrib schemas, version
 * {@value #MS_OPSET}. See {@code docs/adding-an-op.md} for how to add a row. Immutable and thread-safe.
 */
public enum Op {
    // ------------------------------------------------------------------ builder level: Graph's typed methods
    ADD(builder("Add", 14).in("A", "B").out("C")),
    SUB(builder("Sub", 14).in("A", "B").out("C")),
    MUL(builder("Mul", 14).in("A", "B").out("C")),
    DIV(builder("Div", 14).in("A", "B").out("C")),
    NEG(builder("Neg", 13).in("X").out("Y")),
    EXP(builder("Exp", 13).in("input").out("output")),
    LOG(builder("Log", 13).in("input").out("output")),
    SQRT(builder("Sqrt", 13).in("X").out("Y")),
    RELU(builder("Relu", 14).in("X").out("Y")),
    LEAKY_RELU(builder("LeakyRelu", 16).in("X").out("Y").attr("alpha", AttributeKind.FLOAT)),
    SIGMOID(builder("Sigmoid", 13).in("X").out("Y")),
    TANH(builder("Tanh", 13).in("input").out("output")),
    /** Lowered by the compiler to a stable Relu/Exp/Log form; the ONNX node itself is never written. */
    SOFTPLUS(builder("Softplus", 1).in("X").out("Y")),
    IDENTITY(builder("Identity", 16).in("input").out("output")),
    MATMUL(builder("MatMul", 13).in("A", "B").out("Y")),
    GEMM(builder("Gemm", 13).in("A", "B").optionalIn("C").out("Y")
            .attr("alpha", AttributeKind.FLOAT).attr("beta", AttributeKind.FLOAT)
            .attr("transA", AttributeKind.INT).attr("transB", AttributeKind.INT)),
    CONV(builder("Conv", 11).in("X", "W").optionalIn("B").out("Y").convAttributes()),
    CONV_TRANSPOSE(builder("ConvTranspose", 11).in("X", "W").optionalIn("B").out("Y").convAttributes()
            .attr("output_padding", AttributeKind.INTS).attr("output_shape", AttributeKind.INTS)),
    /**
     * In training form ({@code training_mode=1}) lowered to {@link #BATCH_NORM_INTERNAL} plus running-statistics
     * updates; in inference form written as is.
     */
    BATCH_NORMALIZATION(builder("BatchNormalization", 15).in("X", "scale", "B", "input_mean", "input_var")
            .out("Y").optionalOut("running_mean", "running_var")
            .attr("epsilon", AttributeKind.FLOAT).attr("momentum", AttributeKind.FLOAT)
            .attr("training_mode", AttributeKind.INT)),
    RESHAPE(builder("Reshape", 14).in("data", "shape").out("reshaped").attr("allowzero", AttributeKind.INT)),
    FLATTEN(builder("Flatten", 13).in("input").out("output").attr("axis", AttributeKind.INT)),
    TRANSPOSE(builder("Transpose", 13).in("data").out("transposed").attr("perm", AttributeKind.INTS)),
    REDUCE_SUM(builder("ReduceSum", 13).in("data").optionalIn("axes").out("reduced")
            .attr("keepdims", AttributeKind.INT).attr("noop_with_empty_axes", AttributeKind.INT)),
    REDUCE_MEAN(builder("ReduceMean", 13).in("data").out("reduced")
            .attr("axes", AttributeKind.INTS).attr("keepdims", AttributeKind.INT)),
    DEPTH_TO_SPACE(builder("DepthToSpace", 13).in("input").out("output")
            .requiredAttr("blocksize", AttributeKind.INT).attr("mode", AttributeKind.STRING)),
    /** Differentiable only between float types; a cast to int64 or bool passes no gradient. */
    CAST(builder("Cast", 13).in("input").out("output").requiredAttr("to", AttributeKind.INT)),
    /** Noise: no gradient flows to its input, whose values it never reads. */
    RANDOM_NORMAL_LIKE(builder("RandomNormalLike", 1).in("input").out("output")
            .attr("dtype", AttributeKind.INT).attr("mean", AttributeKind.FLOAT).attr("scale", AttributeKind.FLOAT)
            .attr("seed", AttributeKind.FLOAT).notDifferentiable()),

    // ------------------------------- builder level: what exported CNNs and MLPs need (onnx-import)
    /** 2-D max pooling; in a training model also writes {@code Indices}, which the gradient rule scatters through. */
    MAX_POOL(builder("MaxPool", 12).in("X").out("Y").optionalOut("Indices")
            .attr("auto_pad", AttributeKind.STRING).attr("ceil_mode", AttributeKind.INT)
            .attr("dilations", AttributeKind.INTS).requiredAttr("kernel_shape", AttributeKind.INTS)
            .attr("pads", AttributeKind.INTS).attr("storage_order", AttributeKind.INT)
            .attr("strides", AttributeKind.INTS)),
    AVERAGE_POOL(builder("AveragePool", 11).in("X").out("Y")
            .attr("auto_pad", AttributeKind.STRING).attr("ceil_mode", AttributeKind.INT)
            .attr("count_include_pad", AttributeKind.INT).requiredAttr("kernel_shape", AttributeKind.INTS)
            .attr("pads", AttributeKind.INTS).attr("strides", AttributeKind.INTS)),
    GLOBAL_AVERAGE_POOL(builder("GlobalAveragePool", 1).in("X").out("Y")),
    CONCAT(builder("Concat", 13).variadicIn("inputs").out("concat_result").requiredAttr("axis", AttributeKind.INT)),
    SOFTMAX(builder("Softmax", 13).in("input").out("output").attr("axis", AttributeKind.INT)),
    LOG_SOFTMAX(builder("LogSoftmax", 13).in("input").out("output").attr("axis", AttributeKind.INT)),
    /**
     * Dropout in training form (only in training graphs; inference graphs get an Identity): the builder node
     * holds {@code data} and {@code ratio}; lowering adds the {@code training_mode} flag and the mask that the
     * gradient rule multiplies by.
     */
    DROPOUT(builder("Dropout", 13).in("data").optionalIn("ratio", "training_mode").out("output")
            .optionalOut("mask").attr("seed", AttributeKind.INT)),
    /** Clamps to {@code [min, max]} (float scalar constants; infinite for a missing bound). */
    CLIP(builder("Clip", 13).in("input").optionalIn("min", "max").out("output")),

    // --------------------------------------------------------- IR level, default domain: lowering and gradients
    EXPAND(ir("Expand", 13).in("input", "shape").out("output")),
    GREATER(ir("Greater", 13).in("A", "B").out("C")),
    MAX(ir("Max", 13).variadicIn("data_0").out("max")),
    RECIPROCAL(ir("Reciprocal", 13).in("X").out("Y")),
    REDUCE_PROD(ir("ReduceProd", 13).in("data").out("reduced")
            .attr("axes", AttributeKind.INTS).attr("keepdims", AttributeKind.INT)),
    SHAPE(ir("Shape", 15).in("data").out("shape").attr("end", AttributeKind.INT).attr("start", AttributeKind.INT)),
    SIZE(ir("Size", 13).in("data").out("size")),
    SUM(ir("Sum", 13).variadicIn("data_0").out("sum")),
    UNSQUEEZE(ir("Unsqueeze", 13).in("data", "axes").out("expanded")),
    WHERE(ir("Where", 16).in("condition", "X", "Y").out("output")),
    // IR rows for the onnx-import gradient rules (MaxPool, Concat, Clip)
    GREATER_OR_EQUAL(ir("GreaterOrEqual", 16).in("A", "B").out("C")),
    LESS_OR_EQUAL(ir("LessOrEqual", 16).in("A", "B").out("C")),
    SCATTER_ELEMENTS(ir("ScatterElements", 16).in("data", "indices", "updates").out("output")
            .attr("axis", AttributeKind.INT).attr("reduction", AttributeKind.STRING)),
    SLICE(ir("Slice", 13).in("data", "starts", "ends").optionalIn("axes", "steps").out("output")),

    // ------------------------------------------ IR level, com.microsoft: ONNX Runtime's training kernels
    /** Batch normalisation in training form that also returns the saved statistics its gradient needs. */
    BATCH_NORM_INTERNAL(contrib("BatchNormInternal").in("X", "scale", "B", "input_mean", "input_var")
            .out("Y").optionalOut("running_mean", "running_var", "saved_mean", "saved_inv_std")
            .attr("epsilon", AttributeKind.FLOAT).attr("momentum", AttributeKind.FLOAT)
            .attr("training_mode", AttributeKind.INT)),
    BATCH_NORMALIZATION_GRAD(contrib("BatchNormalizationGrad").in("dY", "X", "scale", "mean", "variance")
            .out("X_grad", "scale_grad", "B_grad").requiredAttr("epsilon", AttributeKind.FLOAT)),
    /** Outputs dX, dW and dB, each optional: only the gradients that are needed are computed. */
    CONV_GRAD(contrib("ConvGrad").in("dY", "X", "W").optionalOut("dX", "dW", "dB").convAttributes()),
    /** Adds (or, with the flag, overwrites) a value into a buffer in place; returns whether it did. */
    IN_PLACE_ACCUMULATOR_V2(contrib("InPlaceAccumulatorV2").in("accumulation_buffer", "value")
            .optionalIn("overwrite_flag").out("updated_flag").optionalOut("accumulation_buffer_out")),
    LEAKY_RELU_GRAD(contrib("LeakyReluGrad").in("dY", "Y").out("dX").attr("alpha", AttributeKind.FLOAT)),
    RELU_GRAD(contrib("ReluGrad").in("dY", "X").out("dX")),
    SIGMOID_GRAD(contrib("SigmoidGrad").in("dY", "Y").out("dX")),
    TANH_GRAD(contrib("TanhGrad").in("dY", "Y").out("dX")),
    /** The optimizer model's one node (inputs 2 to 5 are sequences of tensors, one per trainable parameter). */
    ADAMW_OPTIMIZER(contrib("AdamWOptimizer").in("lr", "step", "weights", "gradients", "momentums_1", "momentums_2")
            .optionalIn("update_signal").out("updated_flag")
            .optionalOut("updated_weights", "updated_momentums_1", "updated_momentums_2")
            .attr("adam_mode", AttributeKind.INT).attr("alpha", AttributeKind.FLOAT).attr("beta", AttributeKind.FLOAT)
            .attr("correct_bias", AttributeKind.INT).attr("epsilon", AttributeKind.FLOAT)
            .attr("weight_decay", AttributeKind.FLOAT)),
    /** The plain SGD optimizer model's one node (tests that observe gradients). */
    SGD_OPTIMIZER_V2(contrib("SGDOptimizerV2").in("lr", "weights", "gradients").optionalIn("update_signal")
            .out("update_completed").optionalOut("updated_weights"));

    /** The default domain's opset version every model imports. */
    public static final int OPSET = 17;
    /** The {@code com.microsoft} opset version models import when they use a contrib operator. */
    public static final int MS_OPSET = 1;
    /** The default ONNX domain. */
    public static final String ONNX_DOMAIN = "";
    /** ONNX Runtime's contrib domain, where the training kernels live. */
    public static final String MS_DOMAIN = "com.microsoft";

    /** Which graphs an operator can appear in. */
    public enum Level {
        /** Created by {@link Graph}'s typed methods; can appear in a plugin's graph. */
        BUILDER,
        /** Emitted only by the compiler, in lowered, training and optimizer models. */
        IR
    }

    /** Whether a port must be connected. */
    public enum Presence {
        /** Always present. */
        REQUIRED,
        /** May be absent: the empty name, or left off the end of the list. */
        OPTIONAL,
        /** One or more values (only the last port); ONNX's variadic. */
        VARIADIC
    }

    /** The ONNX attribute types the toolkit writes, with the Java type {@link Attributes} holds them as. */
    public enum AttributeKind {
        INT(Long.class), FLOAT(Float.class), INTS(long[].class), FLOATS(float[].class), STRING(String.class);

        private final Class<?> javaType;

        AttributeKind(Class<?> javaType) {
            this.javaType = javaType;
        }

        /** The class of the values {@link Attributes} stores for this kind. */
        public Class<?> javaType() {
            return javaType;
        }
    }

    /** One input or output of an operator: its ONNX name (documentation only) and whether it must be present. */
    public record Port(String name, Presence presence) {
        @Override
        public String toString() {
            return presence == Presence.REQUIRED ? name
                    : name + " (" + presence.name().toLowerCase(java.util.Locale.ROOT) + ")";
        }
    }

    /** One attribute an operator accepts: its kind, and whether ONNX requires it. */
    public record AttributeSpec(AttributeKind kind, boolean required) {
    }

    private final String onnxName;
    private final String domain;
    private final int sinceVersion;
    private final Level level;
    private final boolean differentiable;
    private final List<Port> inputs;
    private final List<Port> outputs;
    private final SortedMap<String, AttributeSpec> attributes;

    Op(Row row) {
        this.onnxName = row.name;
        this.domain = row.domain;
        this.sinceVersion = row.sinceVersion;
        this.level = row.level;
        this.differentiable = row.differentiable;
        this.inputs = List.copyOf(row.inputs);
        this.outputs = List.copyOf(row.outputs);
        this.attributes = Collections.unmodifiableSortedMap(new TreeMap<>(row.attributes));
    }

    /** The ONNX operator type, for example {@code ConvTranspose}. */
    public String onnxName() {
        return onnxName;
    }

    /** {@link #ONNX_DOMAIN} (the empty string) or {@link #MS_DOMAIN}. */
    public String domain() {
        return domain;
    }

    /**
     * The version of the operator's definition in force at the opset the models import ({@value #OPSET} for
     * the default domain, {@value #MS_OPSET} for {@code com.microsoft}): the {@code since_version} of its schema.
     */
    public int sinceVersion() {
        return sinceVersion;
    }

    public Level level() {
        return level;
    }

    /** True for the operations a plugin's {@link Graph} can contain. */
    public boolean isBuilderOp() {
        return level == Level.BUILDER;
    }

    /**
     * For builder operations: true when gradients flow through it (the compiler has a gradient rule, checked
     * against finite differences); false for those declared not differentiable. Always false for IR-level
     * operators, which are emitted after differentiation.
     */
    public boolean differentiable() {
        return differentiable;
    }

    /** The inputs in ONNX order. */
    public List<Port> inputs() {
        return inputs;
    }

    /** The outputs in ONNX order. */
    public List<Port> outputs() {
        return outputs;
    }

    /** Every attribute the operator accepts, by name. */
    public SortedMap<String, AttributeSpec> attributes() {
        return attributes;
    }

    /** The fewest inputs a node can list: up to the last required port (a variadic port needs one value). */
    public int minInputs() {
        return minPorts(inputs);
    }

    /** The most inputs a node can list; {@link Integer#MAX_VALUE} when the last port is variadic. */
    public int maxInputs() {
        return maxPorts(inputs);
    }

    public int minOutputs() {
        return minPorts(outputs);
    }

    public int maxOutputs() {
        return maxPorts(outputs);
    }

    /**
     * Checks one node of this operator against the table: the number of inputs and outputs, that required
     * ones are not absent (absent optional ones are the empty string), and that every attribute is declared,
     * of its kind, and that required attributes are there.
     *
     * @param node    the node's name, for the message
     * @param in      input value names in ONNX order; {@code ""} for an absent optional input
     * @param out     output value names in ONNX order; {@code ""} for an absent optional output
     * @param attrs   the node's attributes
     * @throws IllegalArgumentException naming the operator, the node and what does not match
     */
    public void checkNode(String node, List<String> in, List<String> out, Attributes attrs) {
        String what = onnxName + " '" + node + "'";
        checkPorts(what, "input", inputs, in);
        checkPorts(what, "output", outputs, out);
        for (Map.Entry<String, Object> a : attrs.asMap().entrySet()) {
            AttributeSpec spec = attributes.get(a.getKey());
            if (spec == null) {
                throw new IllegalArgumentException(what + ": " + onnxName + " has no attribute '" + a.getKey()
                        + "' (its attributes: " + (attributes.isEmpty() ? "none" : String.join(", ", attributes.keySet()))
                        + ")");
            }
            if (!spec.kind().javaType().isInstance(a.getValue())) {
                throw new IllegalArgumentException(what + ": attribute '" + a.getKey() + "' must be " + spec.kind()
                        + ", got " + a.getValue().getClass().getSimpleName());
            }
        }
        attributes.forEach((name, spec) -> {
            if (spec.required() && !attrs.has(name)) {
                throw new IllegalArgumentException(what + ": the required attribute '" + name + "' is missing");
            }
        });
    }

    private static void checkPorts(String what, String role, List<Port> ports, List<String> names) {
        int min = minPorts(ports);
        int max = maxPorts(ports);
        if (names.size() < min || names.size() > max) {
            StringJoiner list = new StringJoiner(", ");
            ports.forEach(p -> list.add(p.toString()));
            throw new IllegalArgumentException(what + ": expected " + (min == max ? Integer.toString(min)
                    : max == Integer.MAX_VALUE ? min + " or more" : min + " to " + max) + " " + role + "s ("
                    + list + "), got " + names.size());
        }
        for (int i = 0; i < names.size(); i++) {
            Port p = ports.get(Math.min(i, ports.size() - 1));
            if (names.get(i).isEmpty() && p.presence() != Presence.OPTIONAL) {
                throw new IllegalArgumentException(what + ": " + role + " " + i + " (" + p.name()
                        + ") is required but absent");
            }
        }
    }

    private static int minPorts(List<Port> ports) {
        int min = 0;
        for (int i = 0; i < ports.size(); i++) {
            if (ports.get(i).presence() != Presence.OPTIONAL) {
                min = i + 1;
            }
        }
        return min;
    }

    private static int maxPorts(List<Port> ports) {
        return !ports.isEmpty() && ports.get(ports.size() - 1).presence() == Presence.VARIADIC
                ? Integer.MAX_VALUE : ports.size();
    }

    /** The opset version a model imports for {@code domain}. */
    public static int opsetOf(String domain) {
        return switch (domain) {
            case ONNX_DOMAIN -> OPSET;
            case MS_DOMAIN -> MS_OPSET;
            default -> throw new IllegalArgumentException("unknown domain '" + domain + "'");
        };
    }

    // ------------------------------------------------------------------------------------ building rows

    private static Row builder(String name, int sinceVersion) {
        return new Row(name, ONNX_DOMAIN, sinceVersion, Level.BUILDER);
    }

    private static Row ir(String name, int sinceVersion) {
        return new Row(name, ONNX_DOMAIN, sinceVersion, Level.IR);
    }

    private static Row contrib(String name) {
        return new Row(name, MS_DOMAIN, MS_OPSET, Level.IR);
    }

    /** Collects one row of the table while the constants are created. */
    private static final class Row {
        final String name;
        final String domain;
        final int sinceVersion;
        final Level level;
        boolean differentiable;
        final List<Port> inputs = new ArrayList<>();
        final List<Port> outputs = new ArrayList<>();
        final SortedMap<String, AttributeSpec> attributes = new TreeMap<>();

        Row(String name, String domain, int sinceVersion, Level level) {
            this.name = name;
            this.domain = domain;
            this.sinceVersion = sinceVersion;
            this.level = level;
            this.differentiable = level == Level.BUILDER;
        }

        Row in(String... names) {
            return ports(inputs, Presence.REQUIRED, names);
        }

        Row optionalIn(String... names) {
            return ports(inputs, Presence.OPTIONAL, names);
        }

        Row variadicIn(String name) {
            return ports(inputs, Presence.VARIADIC, name);
        }

        Row out(String... names) {
            return ports(outputs, Presence.REQUIRED, names);
        }

        Row optionalOut(String... names) {
            return ports(outputs, Presence.OPTIONAL, names);
        }

        Row attr(String attribute, AttributeKind kind) {
            attributes.put(attribute, new AttributeSpec(kind, false));
            return this;
        }

        Row requiredAttr(String attribute, AttributeKind kind) {
            attributes.put(attribute, new AttributeSpec(kind, true));
            return this;
        }

        /** The attributes Conv, ConvTranspose and ConvGrad share. */
        Row convAttributes() {
            return attr("auto_pad", AttributeKind.STRING).attr("dilations", AttributeKind.INTS)
                    .attr("group", AttributeKind.INT).attr("kernel_shape", AttributeKind.INTS)
                    .attr("pads", AttributeKind.INTS).attr("strides", AttributeKind.INTS);
        }

        Row notDifferentiable() {
            differentiable = false;
            return this;
        }

        private Row ports(List<Port> into, Presence presence, String... names) {
            for (String n : names) {
                into.add(new Port(n, presence));
            }
            return this;
        }
    }
}
