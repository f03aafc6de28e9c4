package org.onnxtoolkit.compiler.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OptimizerModelWriterTest {

    @Test
    void adamWModelHasExactInputsOneNodeAllSixAttributesAndBoolFlag() throws InvalidProtocolBufferException {
        ModelProto m = ModelProto.parseFrom(OptimizerModelWriter.adamW(
                new AdamWSettings(0.8f, 0.99f, 1e-7f, 0.05f, false, AdamWSettings.AdamMode.HUGGING_FACE)));
        assertEquals(8, m.getIrVersion());
        assertEquals("onnxtoolkit", m.getProducerName());
        assertEquals(Map.of("", 17L, "com.microsoft", 1L), m.getOpsetImportList().stream()
                .collect(Collectors.toMap(o -> o.getDomain(), o -> o.getVersion())));
        assertEquals(List.of("learning_rate", "step", "params", "gradients", "first_order_moments",
                "second_order_moments"), m.getGraph().getInputList().stream().map(ValueInfoProto::getName).toList());
        assertTensorType(m.getGraph().getInput(0), TensorProto.DataType.FLOAT_VALUE, 1);
        assertTensorType(m.getGraph().getInput(1), TensorProto.DataType.INT64_VALUE, 1);
        for (int i = 2; i < 6; i++) {
            TypeProto seqElem = m.getGraph().getInput(i).getType().getSequenceType().getElemType();
            assertEquals(TensorProto.DataType.FLOAT_VALUE, seqElem.getTensorType().getElemType());
            assertFalse(seqElem.getTensorType().hasShape());
        }
        assertEquals(1, m.getGraph().getNodeCount());
        NodeProto node = m.getGraph().getNode(0);
        assertEquals("AdamWOptimizer", node.getOpType());
        assertEquals("com.microsoft", node.getDomain());
        assertEquals(List.of("adamw.updated_flag"), node.getOutputList());
        Map<String, AttributeProto> attrs = node.getAttributeList().stream()
                .collect(Collectors.toMap(AttributeProto::getName, a -> a));
        assertEquals(6, attrs.size());
        assertEquals(0.8f, attrs.get("alpha").getF());
        assertEquals(0.99f, attrs.get("beta").getF());
        assertEquals(1e-7f, attrs.get("epsilon").getF());
        assertEquals(0.05f, attrs.get("weight_decay").getF());
        assertEquals(0, attrs.get("correct_bias").getI());
        assertEquals(1, attrs.get("adam_mode").getI());
        assertEquals(AttributeProto.AttributeType.INT, attrs.get("adam_mode").getType());
        assertEquals(1, m.getGraph().getOutputCount());
        assertEquals("adamw.updated_flag", m.getGraph().getOutput(0).getName());
        assertTensorType(m.getGraph().getOutput(0), TensorProto.DataType.BOOL_VALUE, 1);
    }

    @Test
    void pytorchAdamIsModeZeroWithBiasCorrectionAndNoDecay() throws InvalidProtocolBufferException {
        AdamWSettings s = AdamWSettings.pytorchAdam();
        assertEquals(new AdamWSettings(0.9f, 0.999f, 1e-8f, 0f, true, AdamWSettings.AdamMode.PYTORCH), s);
        NodeProto node = ModelProto.parseFrom(OptimizerModelWriter.adamW(s)).getGraph().getNode(0);
        Map<String, AttributeProto> attrs = node.getAttributeList().stream()
                .collect(Collectors.toMap(AttributeProto::getName, a -> a));
        assertEquals(0, attrs.get("adam_mode").getI());
        assertEquals(1, attrs.get("correct_bias").getI());
        assertEquals(0f, attrs.get("weight_decay").getF());
        assertEquals(AdamWSettings.AdamMode.HUGGING_FACE, AdamWSettings.onnxblockDefaults().mode());
    }

    @Test
    void bytesAreDeterministic() {
        assertArrayEquals(OptimizerModelWriter.adamW(AdamWSettings.pytorchAdam()),
                OptimizerModelWriter.adamW(AdamWSettings.pytorchAdam()));
        assertArrayEquals(OptimizerModelWriter.sgd(), OptimizerModelWriter.sgd());
    }

    @Test
    void sgdModelHasTheFiveRequiredInputs() throws InvalidProtocolBufferException {
        ModelProto m = ModelProto.parseFrom(OptimizerModelWriter.sgd());
        assertEquals(List.of("learning_rate", "step", "params", "gradients", "first_order_moments"),
                m.getGraph().getInputList().stream().map(ValueInfoProto::getName).toList());
        NodeProto node = m.getGraph().getNode(0);
        assertEquals("SGDOptimizerV2", node.getOpType());
        assertEquals(List.of("learning_rate", "params", "gradients"), node.getInputList());
        assertTensorType(m.getGraph().getOutput(0), TensorProto.DataType.BOOL_VALUE, 1);
    }

    @Test
    void settingsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdamWSettings.pytorchAdam(1f, 0.999f, 1e-8f));
        assertEquals("beta1 must be in [0, 1) but was 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdamWSettings.pytorchAdam(0.9f, 0.999f, -1f));
        assertEquals("epsilon must be finite and >= 0 but was -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AdamWSettings.pytorchAdamW(0.9f, 0.999f, 1e-8f, Float.NaN));
        assertEquals("weightDecay must be finite and >= 0 but was NaN", e.getMessage());
    }

    private static void assertTensorType(ValueInfoProto v, int elemType, long... dims) {
        TypeProto.Tensor t = v.getType().getTensorType();
        assertEquals(elemType, t.getElemType(), v.getName());
        assertArrayEquals(dims, t.getShape().getDimList().stream().mapToLong(d -> d.getDimValue()).toArray(),
                v.getName());
    }
}
