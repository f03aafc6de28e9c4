package org.onnxtoolkit.api.graph;

/**
 * A tensor-valued edge of a {@link Graph}: a graph input, a parameter, a constant, or the output of a node.
 * A value knows the graph that made it, its unique hierarchical name ({@code encoder/fc1/weight}), its
 * element type and its shape (possibly with the symbolic batch dimension).
 *
 * <p>The arithmetic methods are shorthands for the graph's typed operations, so architecture code reads
 * like the math: {@code mu.add(logvar.mul(0.5f).exp().mul(eps))}. Immutable; safe to share, but the graph
 * it belongs to is not thread-safe.
 */
public final class Value {
    /** Where a value comes from. */
    public enum Kind {
        /** Fed by the user on every run ({@code x}). */
        INPUT,
        /** Learned or running-statistics state, stored in checkpoints; see {@link #init()}. */
        PARAMETER,
        /** A fixed tensor embedded in the model. */
        CONSTANT,
        /** Produced by a node. */
        NODE_OUTPUT
    }

    private final Graph graph;
    private final String name;
    private final DataType type;
    private final Shape shape;
    private final Kind kind;
    private Node producer;
    private final Init init;
    private final boolean trainable;
    private final float[] floatData;
    private final long[] longData;

    private Value(Graph graph, String name, DataType type, Shape shape, Kind kind, Init init, boolean trainable,
                  float[] floatData, long[] longData) {
        this.graph = graph;
        this.name = name;
        this.type = type;
        this.shape = shape;
        this.kind = kind;
        this.init = init;
        this.trainable = trainable;
        this.floatData = floatData;
        this.longData = longData;
    }

    /** A graph input fed on every run. */
    static Value input(Graph graph, String name, DataType type, Shape shape) {
        return new Value(graph, name, type, shape, Kind.INPUT, null, false, null, null);
    }

    /** A float32 parameter drawn from {@code init}; {@code trainable} false for frozen state. */
    static Value parameter(Graph graph, String name, Shape shape, Init init, boolean trainable) {
        return new Value(graph, name, DataType.FLOAT, shape, Kind.PARAMETER, init, trainable, null, null);
    }

    /** A float32 constant holding {@code data} (not copied: the graph passes a copy). */
    static Value floatConstant(Graph graph, String name, Shape shape, float[] data) {
        return new Value(graph, name, DataType.FLOAT, shape, Kind.CONSTANT, null, false, data, null);
    }

    /** An int64 constant holding {@code data} (not copied: the graph passes a copy). */
    static Value intConstant(Graph graph, String name, Shape shape, long[] data) {
        return new Value(graph, name, DataType.INT64, shape, Kind.CONSTANT, null, false, null, data);
    }

    /** The output of a node the graph is about to create; the graph links the producer right after. */
    static Value nodeOutput(Graph graph, String name, DataType type, Shape shape) {
        return new Value(graph, name, type, shape, Kind.NODE_OUTPUT, null, false, null, null);
    }

    /** Called once by the graph right after it created the node that produces this value. */
    void linkProducer(Node node) {
        if (producer != null || kind != Kind.NODE_OUTPUT) {
            throw new IllegalStateException("producer of " + name + " is already set");
        }
        producer = node;
    }

    public Graph graph() {
        return graph;
    }

    public String name() {
        return name;
    }

    public DataType type() {
        return type;
    }

    public Shape shape() {
        return shape;
    }

    public int rank() {
        return shape.rank();
    }

    public Kind kind() {
        return kind;
    }

    /** The node that produced this value, or null for inputs, parameters and constants. */
    public Node producer() {
        return producer;
    }

    /** For parameters: how the initial values are drawn; otherwise null. */
    public Init init() {
        return init;
    }

    /**
     * For parameters: true when the optimiser updates it; false for frozen state such as batch-norm
     * running statistics. False for every other kind.
     */
    public boolean trainable() {
        return trainable;
    }

    public boolean isParameter() {
        return kind == Kind.PARAMETER;
    }

    /** For float constants: a copy of the data, row-major; otherwise null. */
    public float[] floatData() {
        return floatData == null ? null : floatData.clone();
    }

    /** For int64 constants: a copy of the data, row-major; otherwise null. */
    public long[] longData() {
        return longData == null ? null : longData.clone();
    }

    public Value add(Value other) {
        return graph.add(this, other);
    }

    public Value add(float c) {
        return graph.add(this, graph.scalar(c));
    }

    public Value sub(Value other) {
        return graph.sub(this, other);
    }

    public Value mul(Value other) {
        return graph.mul(this, other);
    }

    public Value mul(float c) {
        return graph.mul(this, graph.scalar(c));
    }

    public Value div(Value other) {
        return graph.div(this, other);
    }

    public Value neg() {
        return graph.neg(this);
    }

    public Value exp() {
        return graph.exp(this);
    }

    public Value log() {
        return graph.log(this);
    }

    public Value sqrt() {
        return graph.sqrt(this);
    }

    public Value relu() {
        return graph.relu(this);
    }

    public Value leakyRelu(float alpha) {
        return graph.leakyRelu(this, alpha);
    }

    public Value sigmoid() {
        return graph.sigmoid(this);
    }

    public Value tanh() {
        return graph.tanh(this);
    }

    public Value softplus() {
        return graph.softplus(this);
    }

    public Value matmul(Value other) {
        return graph.matmul(this, other);
    }

    public Value reshape(long... shape) {
        return graph.reshape(this, shape);
    }

    public Value flatten() {
        return graph.flatten(this, 1);
    }

    public Value transpose(long... perm) {
        return graph.transpose(this, perm);
    }

    /** Sum over {@code axes} (all axes when none are given), dropping the reduced axes. */
    public Value sum(long... axes) {
        return graph.reduceSum(this, axes, false);
    }

    /** Mean over {@code axes} (all axes when none are given), dropping the reduced axes. */
    public Value mean(long... axes) {
        return graph.reduceMean(this, axes, false);
    }

    @Override
    public String toString() {
        return "'" + name + "' " + type.name().toLowerCase(java.util.Locale.ROOT) + shape;
    }
}
