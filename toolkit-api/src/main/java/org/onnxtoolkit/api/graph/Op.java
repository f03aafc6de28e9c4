package org.onnxtoolkit.api.graph;

/**
 * The closed set of operations a plugin can put in a graph, each pinned to its ONNX opset 17 definition
 * (default domain). Every one of them has a gradient rule in the runtime's compiler.
 */
public enum Op {
    ADD("Add"),
    SUB("Sub"),
    MUL("Mul"),
    DIV("Div"),
    NEG("Neg"),
    EXP("Exp"),
    LOG("Log"),
    SQRT("Sqrt"),
    RELU("Relu"),
    LEAKY_RELU("LeakyRelu"),
    SIGMOID("Sigmoid"),
    TANH("Tanh"),
    SOFTPLUS("Softplus"),
    IDENTITY("Identity"),
    MATMUL("MatMul"),
    GEMM("Gemm"),
    CONV("Conv"),
    CONV_TRANSPOSE("ConvTranspose"),
    BATCH_NORMALIZATION("BatchNormalization"),
    RESHAPE("Reshape"),
    FLATTEN("Flatten"),
    TRANSPOSE("Transpose"),
    REDUCE_SUM("ReduceSum"),
    REDUCE_MEAN("ReduceMean"),
    DEPTH_TO_SPACE("DepthToSpace"),
    CAST("Cast"),
    RANDOM_NORMAL_LIKE("RandomNormalLike");

    /** The ONNX opset version every operation of this set is pinned to. */
    public static final int OPSET = 17;

    private final String onnxName;

    Op(String onnxName) {
        this.onnxName = onnxName;
    }

    /** The ONNX operator type, for example {@code ConvTranspose}. */
    public String onnxName() {
        return onnxName;
    }
}
