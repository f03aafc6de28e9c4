package org.onnxtoolkit.compiler.artifacts;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.Objects;
import org.onnxtoolkit.api.graph.Attributes;
import org.onnxtoolkit.api.graph.Op;

/**
 * Writes {@code optimizer_model.onnx}, the third artifact of ONNX Runtime's on-device training.
 *
 * <p>ORT checks the optimizer graph's input names and order exactly and picks the algorithm from its single
 * {@code com.microsoft} optimizer node; it builds the parameter, gradient and moment sequences itself, in an
 * unspecified order. Both graphs written here have the inputs
 * <pre>
 *   learning_rate        float[1]
 *   step                 int64[1]
 *   params               seq(tensor(float))
 *   gradients            seq(tensor(float))
 *   first_order_moments  seq(tensor(float))
 *   second_order_moments seq(tensor(float))   (AdamW only)
 * </pre>
 * and one {@code bool[1]} output. Models use IR version 8 and opsets {@code "":17}, {@code com.microsoft:1};
 * producer name {@value #PRODUCER_NAME}. The bytes depend only on the arguments (deterministic).
 *
 * <p>Stateless and thread-safe.
 */
public final class OptimizerModelWriter {

    /** The {@code producer_name} written into every model. */
    public static final String PRODUCER_NAME = "onnxtoolkit";
    /** The ONNX IR version written. */
    public static final long IR_VERSION = 8;
    /** The default-domain opset version written (the operator table's). */
    public static final long ONNX_OPSET = Op.OPSET;
    /** The {@code com.microsoft} opset version written (the operator table's). */
    public static final long MS_OPSET = Op.MS_OPSET;
    /** The name of the AdamW graph's output, as onnxblock names it. */
    public static final String ADAMW_OUTPUT = "adamw.updated_flag";
    /** The name of the SGD graph's output. */
    public static final String SGD_OUTPUT = "update_completed";

    private OptimizerModelWriter() {}

    /**
     * Writes an AdamW optimizer model: one {@code AdamWOptimizer} node with all six attributes
     * ({@code alpha}=beta1, {@code beta}=beta2, {@code epsilon}, {@code weight_decay}, {@code correct_bias},
     * {@code adam_mode}) and only its output 0, {@value #ADAMW_OUTPUT}: {@code bool[1]} (ORT 1.24 rejects
     * int64 there).
     *
     * @param settings the hyper-parameters; see {@link AdamWSettings} for the update formulas
     * @return serialized {@code ModelProto} bytes
     */
    public static byte[] adamW(AdamWSettings settings) {
        Objects.requireNonNull(settings, "settings");
        GraphProto.Builder graph = GraphProto.newBuilder().setName("AdamW_Optimizer");
        addCommonInputs(graph);
        graph.addInput(sequenceInput("second_order_moments"));
        graph.addNode(checked(Op.ADAMW_OPTIMIZER, NodeProto.newBuilder()
                .setName("AdamWOptimizer_0")
                .addInput("learning_rate").addInput("step").addInput("params").addInput("gradients")
                .addInput("first_order_moments").addInput("second_order_moments")
                .addOutput(ADAMW_OUTPUT)
                .addAttribute(floatAttribute("alpha", settings.beta1()))
                .addAttribute(floatAttribute("beta", settings.beta2()))
                .addAttribute(floatAttribute("epsilon", settings.epsilon()))
                .addAttribute(floatAttribute("weight_decay", settings.weightDecay()))
                .addAttribute(intAttribute("correct_bias", settings.correctBias() ? 1 : 0))
                .addAttribute(intAttribute("adam_mode", settings.mode().code()))));
        graph.addOutput(tensorValue(ADAMW_OUTPUT, TensorProto.DataType.BOOL_VALUE, 1));
        return model(graph).toByteArray();
    }

    /**
     * Writes a plain SGD optimizer model: one {@code SGDOptimizerV2} node computing {@code w -= lr * g}, with
     * output {@value #SGD_OUTPUT}: {@code bool[1]}, which is what the kernel produces (ORT 1.24's shape
     * inference says rank 0 and logs a harmless "Falling back to lenient merge" warning once at session
     * creation; declaring rank 0 instead makes it warn at run time). ORT requires the {@code step} and
     * {@code first_order_moments} inputs although SGD does not use them. With learning rate 1 one optimizer
     * step subtracts exactly the accumulated gradient, which makes gradients observable in tests.
     *
     * @return serialized {@code ModelProto} bytes
     */
    public static byte[] sgd() {
        GraphProto.Builder graph = GraphProto.newBuilder().setName("SGD_Optimizer");
        addCommonInputs(graph);
        graph.addNode(checked(Op.SGD_OPTIMIZER_V2, NodeProto.newBuilder()
                .setName("SGDOptimizerV2_0")
                .addInput("learning_rate").addInput("params").addInput("gradients")
                .addOutput(SGD_OUTPUT)));
        graph.addOutput(tensorValue(SGD_OUTPUT, TensorProto.DataType.BOOL_VALUE, 1));
        return model(graph).toByteArray();
    }

    /** Sets the node's type and domain from the operator table and checks it against its row. */
    private static NodeProto checked(Op op, NodeProto.Builder node) {
        node.setOpType(op.onnxName()).setDomain(op.domain());
        Attributes.Builder attrs = Attributes.builder();
        for (AttributeProto a : node.getAttributeList()) {
            switch (a.getType()) {
                case FLOAT -> attrs.put(a.getName(), a.getF());
                case INT -> attrs.put(a.getName(), a.getI());
                default -> throw new IllegalStateException("unexpected attribute type " + a.getType());
            }
        }
        op.checkNode(node.getName(), node.getInputList(), node.getOutputList(), attrs.build());
        return node.build();
    }

    private static void addCommonInputs(GraphProto.Builder graph) {
        graph.addInput(tensorValue("learning_rate", TensorProto.DataType.FLOAT_VALUE, 1));
        graph.addInput(tensorValue("step", TensorProto.DataType.INT64_VALUE, 1));
        graph.addInput(sequenceInput("params"));
        graph.addInput(sequenceInput("gradients"));
        graph.addInput(sequenceInput("first_order_moments"));
    }

    private static ModelProto model(GraphProto.Builder graph) {
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(PRODUCER_NAME)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(Op.ONNX_DOMAIN).setVersion(ONNX_OPSET))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(Op.MS_DOMAIN).setVersion(MS_OPSET))
                .setGraph(graph)
                .build();
    }

    private static ValueInfoProto tensorValue(String name, int elemType, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
                .build();
    }

    private static ValueInfoProto sequenceInput(String name) {
        TypeProto floatTensor = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))
                .build();
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setSequenceType(
                        TypeProto.Sequence.newBuilder().setElemType(floatTensor)))
                .build();
    }

    private static AttributeProto floatAttribute(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value)
                .build();
    }
}
