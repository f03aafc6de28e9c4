package org.onnxtoolkit.compiler.testutil;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.onnxtoolkit.compiler.checkpoint.CheckpointWriter;
import org.onnxtoolkit.compiler.checkpoint.NamedTensor;

/**
 * Hand-built ORT training artifacts for tests, following the artifacts spec section 2: parameters as graph
 * inputs with static shapes, a {@code p_grad.accumulation.buffer} input and an {@code InPlaceAccumulatorV2}
 * node per trainable parameter whose {@code bool[1]} output {@code p_grad.accumulation.out} is a graph
 * output, and a {@code lazy_reset_grad: bool[1]} input last. Backward passes are written by hand in standard
 * ops.
 */
public final class TinyModels {

    private TinyModels() {}

    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    static final int BOOL = TensorProto.DataType.BOOL_VALUE;
    static final int INT64 = TensorProto.DataType.INT64_VALUE;
    static final int INT32 = TensorProto.DataType.INT32_VALUE;
    static final int UINT8 = TensorProto.DataType.UINT8_VALUE;

    // ------------------------------------------------------------------------------------------------
    // Linear regression: yhat = x . weight + bias (+ offset, frozen); loss = mean((yhat - target)^2)

    /**
     * A linear model {@code yhat = x·weight + bias [+ offset]} with MSE loss over all elements.
     *
     * <p>Training graph user inputs {@code x: [batch, in]}, {@code target: [batch, out]}; user outputs
     * {@code loss: []} then {@code yhat: [batch, out]}. Parameters (graph input order): {@code weight: [in,
     * out]} and {@code bias: [out]} (trainable), then optionally {@code offset: [out]} (frozen). Eval graph:
     * same user inputs and parameters, outputs {@code loss}, {@code yhat}.
     *
     * @param in input features
     * @param out output features
     * @param frozenOffset whether to add the frozen {@code offset} parameter
     */
    public record Linear(int in, int out, boolean frozenOffset) {

        public static final String WEIGHT = "weight";
        public static final String BIAS = "bias";
        public static final String OFFSET = "offset";

        /** @return the training model bytes */
        public byte[] trainingModel() {
            GraphProto.Builder g = GraphProto.newBuilder().setName("linear_training");
            g.addInput(tensor("x", FLOAT, "batch", in));
            g.addInput(tensor("target", FLOAT, "batch", out));
            addParameterInputs(g);
            g.addInput(tensor(WEIGHT + "_grad.accumulation.buffer", FLOAT, in, out));
            g.addInput(tensor(BIAS + "_grad.accumulation.buffer", FLOAT, out));
            g.addInput(tensor("lazy_reset_grad", BOOL, 1));
            g.addInitializer(floatScalar("two", 2f));
            g.addInitializer(int64Vector("axes0", 0));
            addForward(g);
            g.addNode(node("Size", List.of("diff"), List.of("n")));
            g.addNode(node("Cast", List.of("n"), List.of("nf"), intAttr("to", FLOAT)));
            g.addNode(node("Div", List.of("two", "nf"), List.of("scale")));
            g.addNode(node("Mul", List.of("diff", "scale"), List.of("dyhat")));
            g.addNode(node("Transpose", List.of("x"), List.of("xt"), intsAttr("perm", 1, 0)));
            g.addNode(node("MatMul", List.of("xt", "dyhat"), List.of(WEIGHT + "_grad")));
            g.addNode(node("ReduceSum", List.of("dyhat", "axes0"), List.of(BIAS + "_grad"), intAttr("keepdims", 0)));
            addAccumulator(g, WEIGHT);
            addAccumulator(g, BIAS);
            g.addOutput(tensor("loss", FLOAT));
            g.addOutput(tensor("yhat", FLOAT, "batch", out));
            g.addOutput(tensor(WEIGHT + "_grad.accumulation.out", BOOL, 1));
            g.addOutput(tensor(BIAS + "_grad.accumulation.out", BOOL, 1));
            return model(g);
        }

        /** @return the eval model bytes */
        public byte[] evalModel() {
            GraphProto.Builder g = GraphProto.newBuilder().setName("linear_eval");
            g.addInput(tensor("x", FLOAT, "batch", in));
            g.addInput(tensor("target", FLOAT, "batch", out));
            addParameterInputs(g);
            addForward(g);
            g.addOutput(tensor("loss", FLOAT));
            g.addOutput(tensor("yhat", FLOAT, "batch", out));
            return model(g);
        }

        private void addParameterInputs(GraphProto.Builder g) {
            g.addInput(tensor(WEIGHT, FLOAT, in, out));
            g.addInput(tensor(BIAS, FLOAT, out));
            if (frozenOffset) {
                g.addInput(tensor(OFFSET, FLOAT, out));
            }
        }

        private void addForward(GraphProto.Builder g) {
            g.addNode(node("MatMul", List.of("x", WEIGHT), List.of("mm")));
            if (frozenOffset) {
                g.addNode(node("Add", List.of("mm", BIAS), List.of("yhat0")));
                g.addNode(node("Add", List.of("yhat0", OFFSET), List.of("yhat")));
            } else {
                g.addNode(node("Add", List.of("mm", BIAS), List.of("yhat")));
            }
            g.addNode(node("Sub", List.of("yhat", "target"), List.of("diff")));
            g.addNode(node("Mul", List.of("diff", "diff"), List.of("sq")));
            g.addNode(node("ReduceMean", List.of("sq"), List.of("loss"), intAttr("keepdims", 0)));
        }

        /** @return trainable parameters [weight, bias] with small pseudo-random values */
        public List<NamedTensor> initialTrainable(long seed) {
            Random r = new Random(seed);
            return List.of(
                    new NamedTensor(WEIGHT, new long[] {in, out}, gaussian(r, in * out, 0.5f)),
                    new NamedTensor(BIAS, new long[] {out}, gaussian(r, out, 0.1f)));
        }

        /** @return the frozen offset parameter (empty list without one) */
        public List<NamedTensor> initialFrozen() {
            if (!frozenOffset) {
                return List.of();
            }
            float[] v = new float[out];
            for (int i = 0; i < out; i++) {
                v[i] = 0.25f * (i + 1);
            }
            return List.of(new NamedTensor(OFFSET, new long[] {out}, v));
        }

        /** @return an initial checkpoint with {@link #initialTrainable} and {@link #initialFrozen} */
        public byte[] checkpoint(long seed) {
            return new CheckpointWriter().addTrainable(initialTrainable(seed)).addFrozen(initialFrozen())
                    .addProperty("epoch", 3L).addProperty("generator", "tiny-models").toBytes();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Direct gradients: loss = sum_i sum(p_i * g_i), so dloss/dp_i = g_i is a user input

    /**
     * A model whose gradients are user inputs: {@code loss = Σ_i ReduceSum(p_i * g_i)}, so the gradient of
     * {@code p_i} is exactly the input {@code g_i}. Lets optimizer tests choose gradients freely.
     *
     * @param names parameter names
     * @param shapes parameter shapes, parallel to {@code names}
     */
    public record DirectGradient(List<String> names, List<long[]> shapes) {

        /** @return the training model: user inputs {@code g_<name>} in parameter order, output {@code loss} */
        public byte[] trainingModel() {
            GraphProto.Builder g = GraphProto.newBuilder().setName("direct_gradient_training");
            for (int i = 0; i < names.size(); i++) {
                g.addInput(tensor(gradientInput(names.get(i)), FLOAT, (Object[]) boxed(shapes.get(i))));
            }
            for (int i = 0; i < names.size(); i++) {
                g.addInput(tensor(names.get(i), FLOAT, (Object[]) boxed(shapes.get(i))));
            }
            for (int i = 0; i < names.size(); i++) {
                g.addInput(tensor(names.get(i) + "_grad.accumulation.buffer", FLOAT, (Object[]) boxed(shapes.get(i))));
            }
            g.addInput(tensor("lazy_reset_grad", BOOL, 1));
            List<String> partials = new ArrayList<>();
            for (String name : names) {
                g.addNode(node("Mul", List.of(name, gradientInput(name)), List.of(name + "/prod")));
                g.addNode(node("ReduceSum", List.of(name + "/prod"), List.of(name + "/sum"), intAttr("keepdims", 0)));
                partials.add(name + "/sum");
                g.addNode(node("Identity", List.of(gradientInput(name)), List.of(name + "_grad")));
                addAccumulator(g, name);
            }
            g.addNode(node("Sum", partials, List.of("loss")));
            g.addOutput(tensor("loss", FLOAT));
            for (String name : names) {
                g.addOutput(tensor(name + "_grad.accumulation.out", BOOL, 1));
            }
            return model(g);
        }

        /** @return the user input carrying the gradient of {@code param} */
        public static String gradientInput(String param) {
            return "g_" + param;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Inference: y = x * scale + shift (per column), for InferenceSession tests

    /**
     * @return a plain model {@code y = x * x} with {@code x: [n]} float32: with {@code x = 1e-20} the exact
     *     result 1e-40 is subnormal, so the output shows whether the session flushed it to zero
     */
    public static byte[] squareModel() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("square");
        g.addInput(tensor("x", FLOAT, "n"));
        g.addNode(node("Mul", List.of("x", "x"), List.of("y")));
        g.addOutput(tensor("y", FLOAT, "n"));
        return model(g);
    }

    /**
     * @return a plain model {@code y = x * scale + shift} with {@code x: [batch, 3]}, initializers
     *     {@code scale = [1, 2, 3]}, {@code shift = [0.5, 0.5, 0.5]}, outputs {@code y} and {@code ysum =
     *     ReduceSum(y)} (all axes, keepdims 0)
     */
    public static byte[] affineInferenceModel() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("affine");
        g.addInput(tensor("x", FLOAT, "batch", 3));
        g.addInitializer(floatVector("scale", 1f, 2f, 3f));
        g.addInitializer(floatVector("shift", 0.5f, 0.5f, 0.5f));
        g.addNode(node("Mul", List.of("x", "scale"), List.of("xs")));
        g.addNode(node("Add", List.of("xs", "shift"), List.of("y")));
        g.addNode(node("ReduceSum", List.of("y"), List.of("ysum"), intAttr("keepdims", 0)));
        g.addOutput(tensor("y", FLOAT, "batch", 3));
        g.addOutput(tensor("ysum", FLOAT));
        return model(g);
    }

    /**
     * @return {@link #affineInferenceModel()} with output {@code y} declared {@code [batch, 4]} although it is
     *     {@code [batch, 3]}: ORT's shape inference logs its "Error merging shape info ... Falling back to lenient
     *     merge" warning when a session opens it, and the model still runs
     */
    public static byte[] affineInferenceModelWithWrongOutputShape() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("affine_wrong_shape");
        g.addInput(tensor("x", FLOAT, "batch", 3));
        g.addInitializer(floatVector("scale", 1f, 2f, 3f));
        g.addInitializer(floatVector("shift", 0.5f, 0.5f, 0.5f));
        g.addNode(node("Mul", List.of("x", "scale"), List.of("xs")));
        g.addNode(node("Add", List.of("xs", "shift"), List.of("y")));
        g.addOutput(tensor("y", FLOAT, "batch", 4));
        return model(g);
    }

    /**
     * @return a plain model with one input of each element type a session converts, all {@code [batch]}:
     *     {@code f} float32, {@code l} int64, {@code i} int32, {@code u} uint8, {@code b} bool; outputs
     *     {@code l2 = l + l} (int64), {@code i2 = i + i} (int32), {@code u_out = u} (uint8), {@code not_b = !b}
     *     (bool) and {@code sum = f + l + i + u + b} computed in float32
     */
    public static byte[] typedInferenceModel() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("typed");
        g.addInput(tensor("f", FLOAT, "batch"));
        g.addInput(tensor("l", INT64, "batch"));
        g.addInput(tensor("i", INT32, "batch"));
        g.addInput(tensor("u", UINT8, "batch"));
        g.addInput(tensor("b", BOOL, "batch"));
        g.addNode(node("Add", List.of("l", "l"), List.of("l2")));
        g.addNode(node("Add", List.of("i", "i"), List.of("i2")));
        g.addNode(node("Identity", List.of("u"), List.of("u_out")));
        g.addNode(node("Not", List.of("b"), List.of("not_b")));
        for (String in : List.of("l", "i", "u", "b")) {
            g.addNode(node("Cast", List.of(in), List.of(in + "_f"), intAttr("to", FLOAT)));
        }
        g.addNode(node("Sum", List.of("f", "l_f", "i_f", "u_f", "b_f"), List.of("sum")));
        g.addOutput(tensor("l2", INT64, "batch"));
        g.addOutput(tensor("i2", INT32, "batch"));
        g.addOutput(tensor("u_out", UINT8, "batch"));
        g.addOutput(tensor("not_b", BOOL, "batch"));
        g.addOutput(tensor("sum", FLOAT, "batch"));
        return model(g);
    }

    /**
     * @param float16Input whether the input is declared float16 too
     * @return a plain model {@code f16 = Cast(f, float16)} with input {@code f: [batch]}, float32 or float16:
     *     its output has an element type a session's tensors do not carry
     */
    public static byte[] float16Model(boolean float16Input) {
        int float16 = TensorProto.DataType.FLOAT16_VALUE;
        GraphProto.Builder g = GraphProto.newBuilder().setName("float16");
        g.addInput(tensor("f", float16Input ? float16 : FLOAT, "batch"));
        g.addNode(node("Cast", List.of("f"), List.of("f16"), intAttr("to", float16)));
        g.addOutput(tensor("f16", float16, "batch"));
        return model(g);
    }

    // ------------------------------------------------------------------------------------------------
    // Building blocks

    static void addAccumulator(GraphProto.Builder g, String param) {
        g.addNode(NodeProto.newBuilder()
                .setName(param + "_grad/accumulate")
                .setOpType("InPlaceAccumulatorV2")
                .setDomain("com.microsoft")
                .addInput(param + "_grad.accumulation.buffer")
                .addInput(param + "_grad")
                .addInput("lazy_reset_grad")
                .addOutput(param + "_grad.accumulation.out"));
    }

    /** Dims are Long/Integer (static) or String (symbolic). */
    static ValueInfoProto tensor(String name, int elemType, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) {
                dim.setDimParam(s);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    private static Long[] boxed(long[] dims) {
        Long[] b = new Long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            b[i] = dims[i];
        }
        return b;
    }

    static NodeProto node(String op, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + outputs.get(0));
        inputs.forEach(n::addInput);
        outputs.forEach(n::addOutput);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        return n.build();
    }

    static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto intsAttr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static TensorProto floatScalar(String name, float value) {
        return TensorProto.newBuilder().setName(name).setDataType(FLOAT).addFloatData(value).build();
    }

    static TensorProto floatVector(String name, float... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT).addDims(values.length);
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    static TensorProto int64Vector(String name, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    static byte[] model(GraphProto.Builder graph) {
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("onnxtoolkit-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1))
                .setGraph(graph)
                .build()
                .toByteArray();
    }

    /** @return {@code n} pseudo-random normal values times {@code scale} */
    public static float[] gaussian(Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * scale;
        }
        return v;
    }
}
