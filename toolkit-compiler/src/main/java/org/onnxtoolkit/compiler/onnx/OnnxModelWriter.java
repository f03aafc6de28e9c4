package org.onnxtoolkit.compiler.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Shape;

/**
 * Serialises an {@link IrGraph} to ONNX protobuf bytes at a fixed IR version and opset: IR 8, default
 * domain opset {@value Op#OPSET}, plus {@code com.microsoft} version {@value Op#MS_OPSET} only when a node
 * needs it (the versions of the operator table). The bytes
 * are deterministic for a given graph: the same graph always gives the same file.
 *
 * <p>Stateless and thread-safe.
 */
public final class OnnxModelWriter {
    /** The ONNX IR version of every model we write. */
    public static final long IR_VERSION = 8;
    /** {@code producer_name} of every model we write. */
    public static final String PRODUCER = "onnxtoolkit";

    private OnnxModelWriter() {
    }

    /**
     * @param graph     the graph
     * @param graphName the ONNX graph name
     * @param metadata  {@code metadata_props}, written sorted by key (provenance); may be empty
     */
    public static byte[] write(IrGraph graph, String graphName, Map<String, String> metadata) {
        return toProto(graph, graphName, metadata).toByteArray();
    }

    public static OnnxMl.ModelProto toProto(IrGraph graph, String graphName, Map<String, String> metadata) {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName(graphName);
        for (IrGraph.IrValueInfo in : graph.inputs()) {
            g.addInput(valueInfo(in));
        }
        for (IrGraph.IrInitializer init : graph.initializers()) {
            g.addInitializer(tensor(init));
        }
        for (IrGraph.IrNode n : graph.nodes()) {
            OnnxMl.NodeProto.Builder nb = OnnxMl.NodeProto.newBuilder().setOpType(n.opType()).setName(n.name())
                    .addAllInput(n.inputs()).addAllOutput(n.outputs());
            if (!n.domain().isEmpty()) {
                nb.setDomain(n.domain());
            }
            n.attributes().asMap().forEach((k, v) -> nb.addAttribute(attribute(k, v)));
            g.addNode(nb);
        }
        for (IrGraph.IrValueInfo out : graph.outputs()) {
            g.addOutput(valueInfo(out));
        }
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(PRODUCER)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain(Op.ONNX_DOMAIN).setVersion(Op.OPSET))
                .setGraph(g);
        if (graph.usesMicrosoftDomain()) {
            m.addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain(Op.MS_DOMAIN).setVersion(Op.MS_OPSET));
        }
        new TreeMap<>(metadata).forEach((k, v) ->
                m.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    static OnnxMl.ValueInfoProto valueInfo(IrGraph.IrValueInfo v) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : v.shape().dims()) {
            shape.addDim(d == Shape.BATCH
                    ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        OnnxMl.TypeProto type = OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                .setElemType(v.type().onnxCode()).setShape(shape)).build();
        return OnnxMl.ValueInfoProto.newBuilder().setName(v.name()).setType(type).build();
    }

    static OnnxMl.TensorProto tensor(IrGraph.IrInitializer t) {
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(t.name())
                .setDataType(t.type().onnxCode());
        for (long d : t.shape().dims()) {
            b.addDims(d);
        }
        ByteBuffer buf;
        if (t.floats() != null) {
            buf = ByteBuffer.allocate(t.floats().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(t.floats());
        } else if (t.longs() != null) {
            buf = ByteBuffer.allocate(t.longs().length * 8).order(ByteOrder.LITTLE_ENDIAN);
            buf.asLongBuffer().put(t.longs());
        } else {
            buf = ByteBuffer.allocate(t.bools().length);
            for (boolean v : t.bools()) {
                buf.put((byte) (v ? 1 : 0));
            }
            buf.flip();
        }
        return b.setRawData(ByteString.copyFrom(buf.array())).build();
    }

    static OnnxMl.AttributeProto attribute(String name, Object v) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name);
        if (v instanceof Long l) {
            a.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(l);
        } else if (v instanceof Float f) {
            a.setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(f);
        } else if (v instanceof long[] ints) {
            a.setType(OnnxMl.AttributeProto.AttributeType.INTS);
            for (long i : ints) {
                a.addInts(i);
            }
        } else if (v instanceof float[] floats) {
            a.setType(OnnxMl.AttributeProto.AttributeType.FLOATS);
            for (float f : floats) {
                a.addFloats(f);
            }
        } else if (v instanceof String s) {
            a.setType(OnnxMl.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
        } else {
            throw new IllegalArgumentException("attribute '" + name + "' has unsupported type " + v.getClass());
        }
        return a.build();
    }
}
