package org.onnxtoolkit.api.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds a model graph: the only way plugins describe models. A graph owns its inputs, parameters,
 * constants and nodes; every value knows its graph, and using a value of another graph is an error.
 * Operations are the builder rows of the operator table ({@link Op}), pinned to ONNX opset 17; every node
 * made here is checked against its row (arity, attributes). Each typed method validates its inputs
 * and infers its output's shape at build time, so a mistake fails here with a message naming the
 * operation, what was expected and what was received, not later inside ONNX Runtime.
 *
 * <p>Names are hierarchical and readable: {@link #scope(String)} pushes a name segment, parameters are
 * named {@code scope/name} ({@code encoder/fc1/weight}), and node outputs get {@code scope/OpType} with a
 * numeric suffix when needed. Names must be unique; segments use letters, digits, {@code _ . -}; the
 * suffixes ONNX Runtime's training API reserves ({@code _grad}, {@code _grad.accumulation.buffer},
 * {@code _grad.accumulation.out}) and the name {@code lazy_reset_grad} are rejected.
 *
 * <p>Dimensions are positive sizes or {@link Shape#BATCH}, the symbolic batch dimension. Two batch
 * dimensions are taken to be equal; a batch dimension never broadcasts against a fixed size other than 1.
 *
 * <p>Not thread-safe: one thread builds a graph. Nodes are kept in the order they were added, which is a
 * topological order.
 */
public final class Graph {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_.\\-]+");
    private static final List<String> RESERVED_SUFFIXES =
            List.of("_grad", "_grad.accumulation.buffer", "_grad.accumulation.out");
    private static final String RESERVED_NAME = "lazy_reset_grad";

    private final Phase phase;
    private final Map<String, Value> values = new LinkedHashMap<>();
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> parameters = new ArrayList<>();
    private final List<Value> constants = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Value> outputs = new LinkedHashMap<>();
    private final Deque<String> scopes = new ArrayDeque<>();
    private final Map<String, Integer> autoNameCounters = new HashMap<>();

    /** An empty graph built for {@code phase}. */
    public Graph(Phase phase) {
        if (phase == null) {
            throw new NullPointerException("phase");
        }
        this.phase = phase;
    }

    /** What this graph is built for; layers such as batch normalisation choose their form from it. */
    public Phase phase() {
        return phase;
    }

    // ------------------------------------------------------------------------------------------- scopes

    /**
     * Pushes a name segment for everything declared until the returned scope is closed. Use with
     * try-with-resources: {@code try (var s = g.scope("encoder")) { ... }}. Scopes must close in reverse
     * order of opening.
     */
    public Scope scope(String segment) {
        checkSegments(segment, "scope");
        scopes.addLast(segment);
        return new Scope(segment, scopes.size());
    }

    /** The current scope prefix, for example {@code encoder/fc1}, or the empty string at top level. */
    public String currentScope() {
        return String.join("/", scopes);
    }

    /** A pushed name segment; closing it pops the segment. */
    public final class Scope implements AutoCloseable {
        private final String segment;
        private final int depth;
        private boolean closed;

        private Scope(String segment, int depth) {
            this.segment = segment;
            this.depth = depth;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (scopes.size() != depth || !scopes.peekLast().equals(segment)) {
                throw new IllegalStateException("scope '" + segment + "' closed out of order; open scopes: "
                        + currentScope());
            }
            scopes.removeLast();
            closed = true;
        }
    }

    // ------------------------------------------------------------------------------------- declarations

    /** A float32 graph input; {@code dims} may contain {@link Shape#BATCH}. */
    public Value input(String name, long... dims) {
        return input(name, DataType.FLOAT, dims);
    }

    /** A graph input of any type; {@code dims} may contain {@link Shape#BATCH}. */
    public Value input(String name, DataType type, long... dims) {
        String full = declareName(name, "input");
        Value v = Value.input(this, full, type, Shape.of(dims));
        register(v);
        inputs.add(v);
        return v;
    }

    /** A trainable float32 parameter of a fixed shape, named {@code scope/name}. */
    public Value parameter(String name, Init init, long... dims) {
        return declareParameter(name, init, true, dims);
    }

    /**
     * A frozen float32 parameter: stored in checkpoints and exported models, but not updated by the
     * optimiser (for example batch-norm running statistics, which the runtime updates in place).
     */
    public Value frozenParameter(String name, Init init, long... dims) {
        return declareParameter(name, init, false, dims);
    }

    private Value declareParameter(String name, Init init, boolean trainable, long... dims) {
        if (init == null) {
            throw new GraphBuildException("parameter '" + name + "': an initialisation scheme is required");
        }
        Shape shape = Shape.of(dims);
        if (!shape.isStatic()) {
            throw new GraphBuildException("parameter '" + name + "': expected a fixed shape, got " + shape
                    + " (parameters cannot have the batch dimension)");
        }
        String full = declareName(name, "parameter");
        Value v = Value.parameter(this, full, shape, init, trainable);
        register(v);
        parameters.add(v);
        return v;
    }

    /** A float32 constant with the given row-major data. */
    public Value constant(String name, float[] data, long... dims) {
        Shape shape = Shape.of(dims);
        checkConstantShape(name, shape, data.length);
        String full = declareName(name, "constant");
        Value v = Value.floatConstant(this, full, shape, data.clone());
        register(v);
        constants.add(v);
        return v;
    }

    /** An int64 constant with the given row-major data. */
    public Value constantInts(String name, long[] data, long... dims) {
        Shape shape = Shape.of(dims);
        checkConstantShape(name, shape, data.length);
        String full = declareName(name, "constant");
        Value v = Value.intConstant(this, full, shape, data.clone());
        register(v);
        constants.add(v);
        return v;
    }

    /** A float32 scalar constant (rank 0), named automatically. */
    public Value scalar(float value) {
        String full = autoName("const");
        Value v = Value.floatConstant(this, full, Shape.SCALAR, new float[] {value});
        register(v);
        constants.add(v);
        return v;
    }

    /**
     * Declares {@code value} as the graph output {@code name} (a top-level name, scopes do not apply).
     * When the value has another name an {@code Identity} node gives it this one.
     */
    public Value output(String name, Value value) {
        own(value, "output '" + name + "'");
        checkSegments(name, "output");
        checkReserved(name, "output");
        if (outputs.containsKey(name)) {
            throw new GraphBuildException("output '" + name + "' is declared twice");
        }
        Value out = value;
        if (!value.name().equals(name)) {
            if (values.containsKey(name)) {
                throw new GraphBuildException("output '" + name + "': the name is already used by "
                        + values.get(name));
            }
            out = addNode(Op.IDENTITY, name, List.of(value), Attributes.NONE, value.type(), value.shape());
        }
        outputs.put(name, out);
        return out;
    }

    // ------------------------------------------------------------------------------- element-wise ops

    public Value add(Value a, Value b) {
        return binary(Op.ADD, a, b);
    }

    public Value sub(Value a, Value b) {
        return binary(Op.SUB, a, b);
    }

    public Value mul(Value a, Value b) {
        return binary(Op.MUL, a, b);
    }

    public Value div(Value a, Value b) {
        return binary(Op.DIV, a, b);
    }

    public Value neg(Value x) {
        return unary(Op.NEG, x, Attributes.NONE);
    }

    public Value exp(Value x) {
        return unary(Op.EXP, x, Attributes.NONE);
    }

    public Value log(Value x) {
        return unary(Op.LOG, x, Attributes.NONE);
    }

    public Value sqrt(Value x) {
        return unary(Op.SQRT, x, Attributes.NONE);
    }

    public Value relu(Value x) {
        return unary(Op.RELU, x, Attributes.NONE);
    }

    /** {@code x} where positive, {@code alpha * x} elsewhere (PyTorch's default alpha is 0.01). */
    public Value leakyRelu(Value x, float alpha) {
        return unary(Op.LEAKY_RELU, x, Attributes.builder().put("alpha", alpha).build());
    }

    public Value sigmoid(Value x) {
        return unary(Op.SIGMOID, x, Attributes.NONE);
    }

    public Value tanh(Value x) {
        return unary(Op.TANH, x, Attributes.NONE);
    }

    /** {@code log(1 + exp(x))}, computed stably (the runtime lowers it to {@code relu(x) + log(1 + exp(-|x|))}). */
    public Value softplus(Value x) {
        return unary(Op.SOFTPLUS, x, Attributes.NONE);
    }

    public Value identity(Value x) {
        return unary(Op.IDENTITY, x, Attributes.NONE);
    }

    // --------------------------------------------------------------------------------- linear algebra

    /** Matrix product of two rank-2 values: {@code [M, K] x [K, N] -> [M, N]}. */
    public Value matmul(Value a, Value b) {
        String op = "MatMul";
        ownAll(op, a, b);
        requireFloat(op, a, b);
        requireRank(op, "A", a, 2);
        requireRank(op, "B", b, 2);
        if (a.shape().dim(1) != b.shape().dim(0)) {
            throw new GraphBuildException(op + ": inner dimensions differ: A " + a.shape() + " and B "
                    + b.shape() + " (expected A[1] == B[0])");
        }
        return addNode(Op.MATMUL, autoName(op), List.of(a, b), Attributes.NONE, DataType.FLOAT,
                Shape.of(a.shape().dim(0), b.shape().dim(1)));
    }

    /**
     * General matrix multiply {@code alpha * op(A) op(B) + beta * C}, where {@code op} transposes when the
     * flag is set. A and B are rank 2; C (nullable) broadcasts to {@code [M, N]}. A linear layer with a
     * PyTorch-layout weight {@code [out, in]} is {@code gemm(x, w, b, false, true, 1, 1)}.
     */
    public Value gemm(Value a, Value b, Value c, boolean transA, boolean transB, float alpha, float beta) {
        String op = "Gemm";
        ownAll(op, a, b);
        requireFloat(op, a, b);
        requireRank(op, "A", a, 2);
        requireRank(op, "B", b, 2);
        long m = a.shape().dim(transA ? 1 : 0);
        long ka = a.shape().dim(transA ? 0 : 1);
        long kb = b.shape().dim(transB ? 1 : 0);
        long n = b.shape().dim(transB ? 0 : 1);
        if (ka != kb) {
            throw new GraphBuildException(op + ": inner dimensions differ: A " + a.shape() + (transA ? "^T" : "")
                    + " and B " + b.shape() + (transB ? "^T" : "") + " (" + dimString(ka) + " vs "
                    + dimString(kb) + ")");
        }
        Shape out = Shape.of(m, n);
        List<Value> in = new ArrayList<>(List.of(a, b));
        if (c != null) {
            own(c, op);
            requireFloat(op, c);
            Shape bc;
            try {
                bc = broadcast(op, out, c.shape());
            } catch (GraphBuildException e) {
                bc = null;
            }
            if (!out.equals(bc)) {
                throw new GraphBuildException(op + ": C " + c.shape() + " must broadcast to the output "
                        + out);
            }
            in.add(c);
        }
        Attributes attrs = Attributes.builder().put("alpha", alpha).put("beta", beta)
                .put("transA", transA ? 1L : 0L).put("transB", transB ? 1L : 0L).build();
        return addNode(Op.GEMM, autoName(op), in, attrs, DataType.FLOAT, out);
    }

    // ----------------------------------------------------------------------------------- convolutions

    /**
     * Convolution of {@code x [N, C, H, W]} with {@code w [M, C, kH, kW]} and optional bias {@code b [M]},
     * giving {@code [N, M, H', W']} with {@code H' = floor((H + 2p - d(kH - 1) - 1) / s) + 1}.
     */
    public Value conv(Value x, Value w, Value b, ConvOptions options) {
        String op = "Conv";
        ownAll(op, x, w);
        requireFloat(op, x, w);
        requireRank(op, "X", x, 4);
        requireRank(op, "W", w, 4);
        if (options.outputPadding() != 0) {
            throw new GraphBuildException(op + ": output_padding applies only to ConvTranspose");
        }
        long c = x.shape().dim(1);
        if (c != w.shape().dim(1)) {
            throw new GraphBuildException(op + ": X " + x.shape() + " has " + dimString(c)
                    + " channels but W " + w.shape() + " expects " + w.shape().dim(1) + " (W is [M, C, kH, kW])");
        }
        long m = w.shape().dim(0);
        List<Value> in = new ArrayList<>(List.of(x, w));
        addBias(op, b, m, in);
        long[] dims = new long[4];
        dims[0] = x.shape().dim(0);
        dims[1] = m;
        for (int i = 0; i < 2; i++) {
            long size = x.shape().dim(2 + i);
            long k = w.shape().dim(2 + i);
            long span = (long) options.dilation() * (k - 1) + 1;
            long out = (size + 2L * options.padding() - span) / options.stride() + 1;
            if (size == Shape.BATCH || size + 2L * options.padding() < span || out < 1) {
                throw new GraphBuildException(op + ": input " + x.shape() + " is too small for kernel " + k
                        + " with " + options);
            }
            dims[2 + i] = out;
        }
        return addNode(Op.CONV, autoName(op), in, convAttributes(w, options, false), DataType.FLOAT,
                Shape.of(dims));
    }

    /**
     * Transposed convolution of {@code x [N, C, H, W]} with {@code w [C, M, kH, kW]} (PyTorch's layout) and
     * optional bias {@code b [M]}, giving {@code [N, M, H', W']} with
     * {@code H' = s(H - 1) + d(kH - 1) + 1 - 2p + outputPadding}.
     */
    public Value convTranspose(Value x, Value w, Value b, ConvOptions options) {
        String op = "ConvTranspose";
        ownAll(op, x, w);
        requireFloat(op, x, w);
        requireRank(op, "X", x, 4);
        requireRank(op, "W", w, 4);
        long c = x.shape().dim(1);
        if (c != w.shape().dim(0)) {
            throw new GraphBuildException(op + ": X " + x.shape() + " has " + dimString(c)
                    + " channels but W " + w.shape() + " expects " + w.shape().dim(0) + " (W is [C, M, kH, kW])");
        }
        long m = w.shape().dim(1);
        List<Value> in = new ArrayList<>(List.of(x, w));
        addBias(op, b, m, in);
        long[] dims = new long[4];
        dims[0] = x.shape().dim(0);
        dims[1] = m;
        for (int i = 0; i < 2; i++) {
            long size = x.shape().dim(2 + i);
            long k = w.shape().dim(2 + i);
            long out = (long) options.stride() * (size - 1) + (long) options.dilation() * (k - 1) + 1
                    - 2L * options.padding() + options.outputPadding();
            if (size == Shape.BATCH || out < 1) {
                throw new GraphBuildException(op + ": input " + x.shape() + " with kernel " + k + " and "
                        + options + " gives no output");
            }
            dims[2 + i] = out;
        }
        return addNode(Op.CONV_TRANSPOSE, autoName(op), in, convAttributes(w, options, true), DataType.FLOAT,
                Shape.of(dims));
    }

    private void addBias(String op, Value b, long channels, List<Value> in) {
        if (b == null) {
            return;
        }
        own(b, op);
        requireFloat(op, b);
        if (!b.shape().equals(Shape.of(channels))) {
            throw new GraphBuildException(op + ": bias " + b.shape() + " must have shape [" + channels + "]");
        }
        in.add(b);
    }

    private static Attributes convAttributes(Value w, ConvOptions o, boolean transposed) {
        Attributes.Builder a = Attributes.builder()
                .put("kernel_shape", new long[] {w.shape().dim(2), w.shape().dim(3)})
                .put("strides", o.strides(2))
                .put("pads", o.pads(2))
                .put("dilations", o.dilations(2))
                .put("group", 1L);
        if (transposed) {
            a.put("output_padding", o.outputPaddings(2));
        }
        return a.build();
    }

    /**
     * Batch normalisation over the channel axis 1 of {@code x [N, C, ...]}; {@code scale}, {@code bias},
     * {@code runningMean} and {@code runningVar} are {@code [C]}. In training form ({@code trainingMode})
     * the batch statistics normalise and the running statistics (frozen parameters) are updated in place as
     * {@code running = momentum * running + (1 - momentum) * batch}; in inference form the running
     * statistics normalise. ONNX's momentum is PyTorch's {@code 1 - momentum} (PyTorch 0.1 is ONNX 0.9).
     */
    public Value batchNormalization(Value x, Value scale, Value bias, Value runningMean, Value runningVar,
                                    float epsilon, float momentum, boolean trainingMode) {
        String op = "BatchNormalization";
        ownAll(op, x, scale, bias, runningMean, runningVar);
        requireFloat(op, x, scale, bias, runningMean, runningVar);
        if (x.rank() < 2) {
            throw new GraphBuildException(op + ": X must have rank >= 2 ([N, C, ...]), got " + x.shape());
        }
        long c = x.shape().dim(1);
        String[] names = {"scale", "B", "input_mean", "input_var"};
        Value[] stats = {scale, bias, runningMean, runningVar};
        for (int i = 0; i < 4; i++) {
            if (!stats[i].shape().equals(Shape.of(c))) {
                throw new GraphBuildException(op + ": " + names[i] + " " + stats[i].shape()
                        + " must have shape [" + dimString(c) + "] (channels of X " + x.shape() + ")");
            }
        }
        if (trainingMode) {
            for (Value s : List.of(runningMean, runningVar)) {
                if (!s.isParameter() || s.trainable()) {
                    throw new GraphBuildException(op + ": in training form the running statistics must be frozen "
                            + "parameters (they are updated in place), got " + s + " of kind " + s.kind()
                            + (s.trainable() ? " (trainable)" : ""));
                }
            }
        }
        if (!(epsilon > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new GraphBuildException(op + ": expected epsilon > 0 and 0 <= momentum <= 1, got epsilon="
                    + epsilon + " momentum=" + momentum);
        }
        Attributes attrs = Attributes.builder().put("epsilon", epsilon).put("momentum", momentum)
                .put("training_mode", trainingMode ? 1L : 0L).build();
        return addNode(Op.BATCH_NORMALIZATION, autoName(op), List.of(x, scale, bias, runningMean, runningVar),
                attrs, DataType.FLOAT, x.shape());
    }

    // ----------------------------------------------------------------------------------- shape ops

    /**
     * ONNX Reshape: {@code 0} copies the input's dimension at that position and one {@code -1} is
     * inferred. When {@code x} has the batch dimension, the result must keep it, through a {@code 0} at
     * its position or through the {@code -1} (for example {@code reshape(-1, 256, 2, 2)}).
     */
    public Value reshape(Value x, long... target) {
        String op = "Reshape";
        own(x, op);
        long[] dims = new long[target.length];
        int inferred = -1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == -1) {
                if (inferred >= 0) {
                    throw new GraphBuildException(op + ": at most one -1 in the target shape "
                            + Arrays.toString(target));
                }
                inferred = i;
            } else if (t == 0) {
                if (i >= x.rank()) {
                    throw new GraphBuildException(op + ": 0 at position " + i + " of " + Arrays.toString(target)
                            + " but X " + x.shape() + " has rank " + x.rank());
                }
                dims[i] = x.shape().dim(i);
            } else if (t < -1) {
                throw new GraphBuildException(op + ": invalid target shape " + Arrays.toString(target));
            } else {
                dims[i] = t;
            }
        }
        long inStatic = x.shape().staticElementCount();
        boolean targetHasBatch = false;
        long outStatic = 1;
        for (int i = 0; i < dims.length; i++) {
            if (i == inferred) {
                continue;
            }
            if (dims[i] == Shape.BATCH) {
                targetHasBatch = true;
            } else {
                outStatic *= dims[i];
            }
        }
        boolean inHasBatch = x.shape().hasBatch();
        if (inferred >= 0) {
            if (inHasBatch && !targetHasBatch) {
                if (inStatic != outStatic) {
                    throw new GraphBuildException(op + ": cannot reshape " + x.shape() + " to "
                            + Arrays.toString(target) + ": the -1 must stand for the batch dimension, so the other"
                            + " dimensions must multiply to " + inStatic + ", not " + outStatic);
                }
                dims[inferred] = Shape.BATCH;
            } else {
                if (outStatic == 0 || inStatic % outStatic != 0) {
                    throw new GraphBuildException(op + ": cannot reshape " + x.shape() + " to "
                            + Arrays.toString(target) + ": " + inStatic + " elements do not divide by " + outStatic);
                }
                dims[inferred] = inStatic / outStatic;
            }
        } else if (inHasBatch != targetHasBatch || inStatic != outStatic) {
            throw new GraphBuildException(op + ": cannot reshape " + x.shape() + " to " + Arrays.toString(target)
                    + " (element counts differ)");
        }
        Value shape = autoConstantInts("shape", target);
        return addNode(Op.RESHAPE, autoName(op), List.of(x, shape), Attributes.NONE, x.type(), Shape.of(dims));
    }

    /** ONNX Flatten: {@code [d0 .. d(axis-1)]} and {@code [d(axis) ..]} each collapse to one dimension. */
    public Value flatten(Value x, int axis) {
        String op = "Flatten";
        own(x, op);
        if (axis < 0 || axis > x.rank()) {
            throw new GraphBuildException(op + ": axis " + axis + " out of range for " + x.shape());
        }
        long[] dims = new long[2];
        for (int part = 0; part < 2; part++) {
            int from = part == 0 ? 0 : axis;
            int to = part == 0 ? axis : x.rank();
            long n = 1;
            boolean batch = false;
            for (int i = from; i < to; i++) {
                long d = x.shape().dim(i);
                if (d == Shape.BATCH) {
                    batch = true;
                } else {
                    n *= d;
                }
            }
            if (batch && n != 1) {
                throw new GraphBuildException(op + ": axis " + axis + " would merge the batch dimension of "
                        + x.shape() + " with fixed dimensions");
            }
            dims[part] = batch ? Shape.BATCH : n;
        }
        return addNode(Op.FLATTEN, autoName(op), List.of(x), Attributes.builder().put("axis", (long) axis).build(),
                x.type(), Shape.of(dims));
    }

    /**
     * Rearranges channel blocks into spatial blocks: {@code [N, C*r*r, H, W] -> [N, C, H*r, W*r]}. With
     * {@code pixelShuffle} (ONNX mode CRD) this is PyTorch's {@code PixelShuffle(r)}; otherwise ONNX's
     * default DCR order.
     */
    public Value depthToSpace(Value x, int blockSize, boolean pixelShuffle) {
        String op = "DepthToSpace";
        own(x, op);
        requireFloat(op, x);
        requireRank(op, "X", x, 4);
        long c = x.shape().dim(1);
        long r2 = (long) blockSize * blockSize;
        if (blockSize < 1 || c == Shape.BATCH || c % r2 != 0) {
            throw new GraphBuildException(op + ": X " + x.shape() + " must have a channel count divisible by blocksize^2 = "
                    + r2);
        }
        Attributes attrs = Attributes.builder().put("blocksize", (long) blockSize)
                .put("mode", pixelShuffle ? "CRD" : "DCR").build();
        return addNode(Op.DEPTH_TO_SPACE, autoName(op), List.of(x), attrs, x.type(),
                Shape.of(x.shape().dim(0), c / r2, x.shape().dim(2) * blockSize, x.shape().dim(3) * blockSize));
    }

    /** Permutes the axes: output axis {@code i} is input axis {@code perm[i]}. */
    public Value transpose(Value x, long... perm) {
        String op = "Transpose";
        own(x, op);
        if (perm.length != x.rank()) {
            throw new GraphBuildException(op + ": perm " + Arrays.toString(perm) + " must have rank " + x.rank()
                    + " to match X " + x.shape());
        }
        boolean[] seen = new boolean[perm.length];
        long[] dims = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            long p = perm[i];
            if (p < 0 || p >= perm.length || seen[(int) p]) {
                throw new GraphBuildException(op + ": perm " + Arrays.toString(perm) + " is not a permutation of 0.."
                        + (perm.length - 1));
            }
            seen[(int) p] = true;
            dims[i] = x.shape().dim((int) p);
        }
        return addNode(Op.TRANSPOSE, autoName(op), List.of(x), Attributes.builder().put("perm", perm).build(),
                x.type(), Shape.of(dims));
    }

    /** Sum over {@code axes} (every axis when empty); negative axes count from the end. */
    public Value reduceSum(Value x, long[] axes, boolean keepDims) {
        return reduce(Op.REDUCE_SUM, x, axes, keepDims);
    }

    /** Mean over {@code axes} (every axis when empty); negative axes count from the end. */
    public Value reduceMean(Value x, long[] axes, boolean keepDims) {
        return reduce(Op.REDUCE_MEAN, x, axes, keepDims);
    }

    private Value reduce(Op kind, Value x, long[] axes, boolean keepDims) {
        String op = kind.onnxName();
        own(x, op);
        requireFloat(op, x);
        long[] normalized = normalizeAxes(op, x, axes);
        boolean[] reduced = new boolean[x.rank()];
        for (long a : normalized) {
            reduced[(int) a] = true;
        }
        List<Long> dims = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (!reduced[i]) {
                dims.add(x.shape().dim(i));
            } else if (keepDims) {
                dims.add(1L);
            }
        }
        Attributes.Builder attrs = Attributes.builder().put("keepdims", keepDims ? 1L : 0L);
        List<Value> in = new ArrayList<>(List.of(x));
        if (kind == Op.REDUCE_SUM) {
            // Opset 13+: ReduceSum takes its axes as an int64 input.
            in.add(autoConstantInts("axes", normalized));
        } else {
            attrs.put("axes", normalized);
        }
        return addNode(kind, autoName(op), in, attrs.build(), x.type(),
                Shape.of(dims.stream().mapToLong(Long::longValue).toArray()));
    }

    private static long[] normalizeAxes(String op, Value x, long[] axes) {
        if (axes == null || axes.length == 0) {
            long[] all = new long[x.rank()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        long[] out = new long[axes.length];
        boolean[] seen = new boolean[x.rank()];
        for (int i = 0; i < axes.length; i++) {
            long a = axes[i] < 0 ? axes[i] + x.rank() : axes[i];
            if (a < 0 || a >= x.rank() || seen[(int) a]) {
                throw new GraphBuildException(op + ": axes " + Arrays.toString(axes) + " invalid for X " + x.shape()
                        + " (expected distinct axes in [-" + x.rank() + ", " + (x.rank() - 1) + "])");
            }
            seen[(int) a] = true;
            out[i] = a;
        }
        Arrays.sort(out);
        return out;
    }

    /** Converts the element type. Gradients flow only through float-to-float casts. */
    public Value cast(Value x, DataType to) {
        own(x, "Cast");
        return addNode(Op.CAST, autoName("Cast"), List.of(x), Attributes.builder().put("to", (long) to.onnxCode())
                .build(), to, x.shape());
    }

    /**
     * Standard normal noise with the shape of {@code x} (float32), drawn anew on every run. The generator
     * is seeded from ONNX Runtime's global seed when the session is created. No gradient flows through it.
     */
    public Value randomNormalLike(Value x) {
        own(x, "RandomNormalLike");
        Attributes attrs = Attributes.builder().put("dtype", (long) DataType.FLOAT.onnxCode())
                .put("mean", 0f).put("scale", 1f).build();
        return addNode(Op.RANDOM_NORMAL_LIKE, autoName("RandomNormalLike"), List.of(x), attrs, DataType.FLOAT,
                x.shape());
    }

    // ------------------------------------------------------------- pooling, softmax, dropout, clip, concat

    /**
     * 2-D max pooling of {@code x [N, C, H, W]} with a {@code kernel [kH, kW]}, one stride and one symmetric
     * padding for both axes, giving {@code [N, C, H', W']} with {@code H' = floor((H + 2p - kH) / s) + 1}
     * (PyTorch's {@code MaxPool2d} without ceil mode). Padding must be at most half the kernel.
     */
    public Value maxPool(Value x, long[] kernel, int stride, int padding) {
        return pool(Op.MAX_POOL, x, kernel, stride, padding);
    }

    /**
     * 2-D average pooling, shaped as {@link #maxPool}; padded positions count as zeros in the average
     * (PyTorch's {@code AvgPool2d} default, ONNX's {@code count_include_pad=1}).
     */
    public Value averagePool(Value x, long[] kernel, int stride, int padding) {
        return pool(Op.AVERAGE_POOL, x, kernel, stride, padding);
    }

    private Value pool(Op kind, Value x, long[] kernel, int stride, int padding) {
        String op = kind.onnxName();
        own(x, op);
        requireFloat(op, x);
        requireRank(op, "X", x, 4);
        if (kernel == null || kernel.length != 2 || kernel[0] < 1 || kernel[1] < 1 || stride < 1 || padding < 0) {
            throw new GraphBuildException(op + ": expected a kernel of two positive sizes, stride >= 1 and padding"
                    + " >= 0, got kernel " + Arrays.toString(kernel) + ", stride " + stride + ", padding " + padding);
        }
        long[] dims = {x.shape().dim(0), x.shape().dim(1), 0, 0};
        for (int i = 0; i < 2; i++) {
            long size = x.shape().dim(2 + i);
            if (2L * padding > kernel[i]) {
                throw new GraphBuildException(op + ": padding " + padding + " must be at most half the kernel "
                        + Arrays.toString(kernel));
            }
            if (size == Shape.BATCH || size + 2L * padding < kernel[i]) {
                throw new GraphBuildException(op + ": input " + x.shape() + " is too small for kernel "
                        + Arrays.toString(kernel) + " with padding " + padding);
            }
            dims[2 + i] = (size + 2L * padding - kernel[i]) / stride + 1;
        }
        Attributes.Builder a = Attributes.builder().put("kernel_shape", kernel.clone())
                .put("strides", new long[] {stride, stride})
                .put("pads", new long[] {padding, padding, padding, padding});
        if (kind == Op.AVERAGE_POOL) {
            a.put("count_include_pad", 1L);
        }
        return addNode(kind, autoName(op), List.of(x), a.build(), DataType.FLOAT, Shape.of(dims));
    }

    /** The mean over each channel's spatial positions: {@code [N, C, H, W] -> [N, C, 1, 1]}. */
    public Value globalAveragePool(Value x) {
        String op = "GlobalAveragePool";
        own(x, op);
        requireFloat(op, x);
        if (x.rank() < 3) {
            throw new GraphBuildException(op + ": X must have rank >= 3 ([N, C, ...]), got " + x.shape());
        }
        long[] dims = x.shape().dims();
        for (int i = 2; i < dims.length; i++) {
            if (dims[i] == Shape.BATCH) {
                throw new GraphBuildException(op + ": spatial dimensions of " + x.shape() + " must be fixed");
            }
            dims[i] = 1;
        }
        return addNode(Op.GLOBAL_AVERAGE_POOL, autoName(op), List.of(x), Attributes.NONE, DataType.FLOAT,
                Shape.of(dims));
    }

    /**
     * Joins float values along {@code axis} (negative counts from the end), which must not be the batch
     * dimension; every other dimension must agree.
     */
    public Value concat(List<Value> parts, int axis) {
        String op = "Concat";
        if (parts == null || parts.isEmpty()) {
            throw new GraphBuildException(op + ": expected at least one input");
        }
        for (Value v : parts) {
            own(v, op);
            requireFloat(op, v);
        }
        Value first = parts.get(0);
        int rank = first.rank();
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new GraphBuildException(op + ": axis " + axis + " out of range for " + first.shape());
        }
        long[] dims = first.shape().dims();
        dims[a] = 0;
        for (Value v : parts) {
            if (v.rank() != rank) {
                throw new GraphBuildException(op + ": inputs of different ranks: " + first + " and " + v);
            }
            for (int i = 0; i < rank; i++) {
                long d = v.shape().dim(i);
                if (i == a) {
                    if (d == Shape.BATCH) {
                        throw new GraphBuildException(op + ": cannot join along the batch dimension of " + v);
                    }
                    dims[a] += d;
                } else if (d != first.shape().dim(i)) {
                    throw new GraphBuildException(op + ": " + v + " differs from " + first + " on axis " + i);
                }
            }
        }
        return addNode(Op.CONCAT, autoName(op), List.copyOf(parts),
                Attributes.builder().put("axis", (long) a).build(), DataType.FLOAT, Shape.of(dims));
    }

    /** Softmax along {@code axis} (negative counts from the end). */
    public Value softmax(Value x, int axis) {
        return softmaxLike(Op.SOFTMAX, x, axis);
    }

    /** {@code log(softmax(x))} along {@code axis}, computed stably. */
    public Value logSoftmax(Value x, int axis) {
        return softmaxLike(Op.LOG_SOFTMAX, x, axis);
    }

    private Value softmaxLike(Op kind, Value x, int axis) {
        String op = kind.onnxName();
        own(x, op);
        requireFloat(op, x);
        int a = axis < 0 ? axis + x.rank() : axis;
        if (a < 0 || a >= x.rank()) {
            throw new GraphBuildException(op + ": axis " + axis + " out of range for " + x.shape());
        }
        return addNode(kind, autoName(op), List.of(x), Attributes.builder().put("axis", (long) a).build(),
                DataType.FLOAT, x.shape());
    }

    /**
     * Dropout with drop probability {@code ratio} in {@code [0, 1)}: in a {@link Phase#TRAINING} graph each
     * element is zeroed with that probability and the rest scaled by {@code 1 / (1 - ratio)} (a new mask on every
     * step, drawn from ONNX Runtime's seeded generator); in an inference graph it is the identity.
     */
    public Value dropout(Value x, float ratio) {
        String op = "Dropout";
        own(x, op);
        requireFloat(op, x);
        if (!(ratio >= 0f && ratio < 1f)) {
            throw new GraphBuildException(op + ": ratio must be in [0, 1), got " + ratio);
        }
        if (phase != Phase.TRAINING) {
            return identity(x);
        }
        return addNode(Op.DROPOUT, autoName(op), List.of(x, scalar(ratio)), Attributes.NONE, DataType.FLOAT,
                x.shape());
    }

    /** Clamps {@code x} to {@code [min, max]}; an infinite bound leaves that side open. */
    public Value clip(Value x, float min, float max) {
        String op = "Clip";
        own(x, op);
        requireFloat(op, x);
        if (Float.isNaN(min) || Float.isNaN(max) || min > max) {
            throw new GraphBuildException(op + ": expected min <= max, got [" + min + ", " + max + "]");
        }
        return addNode(Op.CLIP, autoName(op), List.of(x, scalar(min), scalar(max)), Attributes.NONE,
                DataType.FLOAT, x.shape());
    }

    // --------------------------------------------------------------------------------------- accessors

    /** Nodes in the order they were added (a topological order). */
    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public List<Value> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    /** Parameters in declaration order, trainable and frozen. */
    public List<Value> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    public List<Value> constants() {
        return Collections.unmodifiableList(constants);
    }

    /** Declared outputs in declaration order. */
    public Map<String, Value> outputs() {
        return Collections.unmodifiableMap(outputs);
    }

    /** The value with this full name. */
    public Value value(String fullName) {
        Value v = values.get(fullName);
        if (v == null) {
            throw new GraphBuildException("no value named '" + fullName + "'");
        }
        return v;
    }

    // -------------------------------------------------------------------------------------- internals

    private Value binary(Op kind, Value a, Value b) {
        String op = kind.onnxName();
        ownAll(op, a, b);
        requireFloat(op, a, b);
        Shape out = broadcast(op, a.shape(), b.shape());
        return addNode(kind, autoName(op), List.of(a, b), Attributes.NONE, DataType.FLOAT, out);
    }

    private Value unary(Op kind, Value x, Attributes attrs) {
        String op = kind.onnxName();
        own(x, op);
        if (kind != Op.IDENTITY) {
            requireFloat(op, x);
        }
        return addNode(kind, autoName(op), List.of(x), attrs, x.type(), x.shape());
    }

    /** Numpy-style broadcasting of two shapes; the batch dimension only meets itself or 1. */
    static Shape broadcast(String op, Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            int ia = a.rank() - rank + i;
            int ib = b.rank() - rank + i;
            long da = ia >= 0 ? a.dim(ia) : 1;
            long db = ib >= 0 ? b.dim(ib) : 1;
            if (da == db) {
                out[i] = da;
            } else if (da == 1) {
                out[i] = db;
            } else if (db == 1) {
                out[i] = da;
            } else {
                throw new GraphBuildException(op + ": shapes " + a + " and " + b
                        + " cannot be broadcast (axis " + i + ": " + dimString(da) + " vs " + dimString(db) + ")");
            }
        }
        return Shape.of(out);
    }

    private Value addNode(Op op, String outputName, List<Value> in, Attributes attrs, DataType type,
                          Shape shape) {
        Value out = Value.nodeOutput(this, outputName, type, shape);
        Node node = new Node(op, outputName, in, List.of(out), attrs);
        checkAgainstTable(node);
        out.linkProducer(node);
        register(out);
        nodes.add(node);
        return out;
    }

    /**
     * Every node the typed methods create must fit its row of the operator table (arity, attribute names and
     * kinds); a mismatch is a bug in this class, not in the caller's graph.
     */
    private static void checkAgainstTable(Node node) {
        if (!node.op().isBuilderOp()) {
            throw new IllegalStateException(node + ": " + node.op() + " is not a builder operation");
        }
        try {
            node.op().checkNode(node.name(), node.inputs().stream().map(Value::name).toList(),
                    node.outputs().stream().map(Value::name).toList(), node.attributes());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the graph builder made a node that does not fit the operator table: "
                    + e.getMessage(), e);
        }
    }

    private void register(Value v) {
        values.put(v.name(), v);
    }

    private void own(Value v, String op) {
        if (v == null) {
            throw new GraphBuildException(op + ": input is null");
        }
        if (v.graph() != this) {
            throw new GraphBuildException(op + ": value " + v + " belongs to another graph");
        }
    }

    private void ownAll(String op, Value... vs) {
        for (Value v : vs) {
            own(v, op);
        }
    }

    private static void requireFloat(String op, Value... vs) {
        for (Value v : vs) {
            if (v.type() != DataType.FLOAT) {
                throw new GraphBuildException(op + ": expected a float input, got " + v);
            }
        }
    }

    private static void requireRank(String op, String role, Value v, int rank) {
        if (v.rank() != rank) {
            throw new GraphBuildException(op + ": " + role + " must have rank " + rank + ", got " + v);
        }
    }

    private static String dimString(long d) {
        return d == Shape.BATCH ? "batch" : Long.toString(d);
    }

    private void checkConstantShape(String name, Shape shape, int length) {
        if (!shape.isStatic() || shape.elementCount() != length) {
            throw new GraphBuildException("constant '" + name + "': " + length + " values do not fill shape "
                    + shape);
        }
    }

    private String declareName(String name, String what) {
        checkSegments(name, what);
        String full = scopes.isEmpty() ? name : currentScope() + "/" + name;
        checkReserved(full, what);
        if (values.containsKey(full)) {
            throw new GraphBuildException(what + " '" + full + "': duplicate name (already used by "
                    + values.get(full) + ")");
        }
        return full;
    }

    /** A rank-1 int64 constant with an automatic name in the current scope. */
    private Value autoConstantInts(String base, long[] data) {
        Value v = Value.intConstant(this, autoName(base), Shape.of(data.length), data.clone());
        register(v);
        constants.add(v);
        return v;
    }

    private String autoName(String base) {
        String prefix = scopes.isEmpty() ? "" : currentScope() + "/";
        String candidate = prefix + base;
        int n = autoNameCounters.getOrDefault(candidate, 0);
        String name = n == 0 ? candidate : candidate + "_" + n;
        while (values.containsKey(name)) {
            n++;
            name = candidate + "_" + n;
        }
        autoNameCounters.put(candidate, n + 1);
        return name;
    }

    private static void checkSegments(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new GraphBuildException(what + " name must not be empty");
        }
        for (String segment : name.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new GraphBuildException(what + " name '" + name + "' is invalid: each '/'-separated segment"
                        + " must be non-empty and use only letters, digits, '_', '.' and '-'");
            }
        }
    }

    private static void checkReserved(String name, String what) {
        if (name.equals(RESERVED_NAME) || name.endsWith("/" + RESERVED_NAME)) {
            throw new GraphBuildException(what + " name '" + name + "' is reserved by ONNX Runtime's training API");
        }
        for (String suffix : RESERVED_SUFFIXES) {
            if (name.endsWith(suffix)) {
                throw new GraphBuildException(what + " name '" + name + "' ends with '" + suffix
                        + "', a suffix reserved by ONNX Runtime's training API for gradients");
            }
        }
    }
}
