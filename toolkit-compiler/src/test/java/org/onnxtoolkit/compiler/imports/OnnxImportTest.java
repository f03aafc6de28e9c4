package org.onnxtoolkit.compiler.imports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.artifacts.AdamWSettings;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.checkpoint.CheckpointContents;
import org.onnxtoolkit.compiler.checkpoint.CheckpointReader;

/**
 * The importer on models written here with the ONNX protobuf classes: what becomes a parameter, a frozen
 * parameter or a folded constant, the shape chains {@code torch.onnx.export} writes for {@code x.view(x.size(0),
 * -1)}, names, and every refusal (operators, opset, dynamic dimensions, truncation, external data).
 */
class OnnxImportTest {
    @TempDir
    Path dir;

    static OnnxMl.ValueInfoProto info(String name, int type, Object... dims) {
        OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            s.addDim(d instanceof String p ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(p)
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type).setShape(s))).build();
    }

    static OnnxMl.TensorProto floats(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(1)
                .setRawData(ByteString.copyFrom(b.array()));
        Arrays.stream(dims).forEach(t::addDims);
        return t.build();
    }

    static OnnxMl.TensorProto longs(String name, long... v) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
        Arrays.stream(v).forEach(t::addInt64Data);
        return t.build();
    }

    static OnnxMl.NodeProto node(String op, String name, List<String> in, List<String> out,
                                 OnnxMl.AttributeProto... attrs) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out)
                .addAllAttribute(List.of(attrs)).build();
    }

    static OnnxMl.AttributeProto ints(String name, long... v) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        Arrays.stream(v).forEach(a::addInts);
        return a.build();
    }

    static OnnxMl.AttributeProto intAttr(String name, long v) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(v).build();
    }

    Path write(String file, OnnxMl.GraphProto.Builder g, long opset) throws IOException {
        OnnxMl.ModelProto m = OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
        Path p = dir.resolve(file);
        Files.createDirectories(p.getParent());
        Files.write(p, m.toByteArray());
        return p;
    }

    /**
     * x [batch, 2, 3] -> Shape -> Gather(0) -> Unsqueeze -> Concat with [-1] -> Reshape: [batch, 6], then
     * Gemm with an initializer weight named like PyTorch's, a Constant bias, Relu and an output.
     */
    static OnnxMl.GraphProto.Builder viewThenLinear() {
        float[] w = new float[4 * 6];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.01f * i - 0.1f;
        }
        OnnxMl.AttributeProto bias = OnnxMl.AttributeProto.newBuilder().setName("value")
                .setType(OnnxMl.AttributeProto.AttributeType.TENSOR).setT(floats("", new float[] {1, 2, 3, 4}, 4))
                .build();
        OnnxMl.AttributeProto one = OnnxMl.AttributeProto.newBuilder().setName("alpha")
                .setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(1f).build();
        return OnnxMl.GraphProto.newBuilder().setName("g")
                .addInput(info("input.1", 1, "N", 2, 3))
                .addInitializer(floats("fc.weight", w, 4, 6))
                .addInitializer(longs("zero", 0))
                .addInitializer(longs("minus_one", -1))
                .addNode(node("Shape", "shape", List.of("input.1"), List.of("s")))
                .addNode(node("Gather", "gather", List.of("s", "zero"), List.of("n")))
                .addNode(node("Concat", "concat", List.of("n", "minus_one"), List.of("target"), intAttr("axis", 0)))
                .addNode(node("Reshape", "view", List.of("input.1", "target"), List.of("flat")))
                .addNode(node("Constant", "const", List.of(), List.of("b"), bias))
                .addNode(node("Gemm", "fc", List.of("flat", "fc.weight", "b"), List.of("h"), one,
                        intAttr("transB", 1)))
                .addNode(node("Relu", "relu", List.of("h"), List.of("y")))
                .addOutput(info("y", 1, "N", 4));
    }

    @Test
    void foldsShapeChainsAndMakesInitializersParameters() throws IOException {
        OnnxImport m = OnnxImport.read(write("m.onnx", viewThenLinear(), 17));
        assertEquals(List.of(new OnnxImport.Input("input.1", "input.1", DataType.FLOAT, Shape.of(Shape.BATCH, 2, 3))),
                m.inputs());
        Graph g = new Graph(Phase.TRAINING);
        Value x = g.input("input.1", Shape.BATCH, 2, 3);
        Map<String, Value> out = m.addTo(g, Map.of("input.1", x), name -> false);
        assertEquals(Shape.of(Shape.BATCH, 4), out.get("y").shape());
        assertEquals(1, g.parameters().size(), "only the weight; the Constant bias stays a constant");
        Value w = g.parameters().get(0);
        assertEquals("fc.weight", w.name());
        assertTrue(w.trainable());
        assertEquals(List.of(Op.RESHAPE, Op.GEMM, Op.RELU), g.nodes().stream().map(n -> n.op()).toList(),
                "Shape, Gather and Concat are folded");
    }

    @Test
    void frozenInitializersAndTheCheckpointHoldTheModelsValues() throws IOException {
        OnnxImport m = OnnxImport.read(write("m.onnx", viewThenLinear(), 13));
        ImportedTraining t = ImportedTraining.of(m, ImportedTraining.Loss.MSE, null, "target", n -> false);
        TrainingArtifacts a = t.compile(true, AdamWSettings.pytorchAdam(), false);
        assertEquals(Map.of("algorithm", "sgd"), a.manifest().optimizer());
        assertEquals("given", a.manifest().parameters().get(0).init().scheme());
        CheckpointContents c = CheckpointReader.read(t.checkpoint(Map.of("k", "v")), "test");
        assertArrayEquals(t.initialValue("fc.weight"), c.trainableParameters().get(0).data());
        assertEquals(-0.1f, c.trainableParameters().get(0).data()[0]);

        ImportedTraining all = null;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImportedTraining.of(m, ImportedTraining.Loss.MSE, null, "target", n -> n.startsWith("fc")));
        assertTrue(e.getMessage().contains("no parameter is left to train"), e.getMessage());
        assertEquals(null, all);
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                () -> ImportedTraining.of(m, ImportedTraining.Loss.MSE, null, "input.1", n -> false));
        assertTrue(clash.getMessage().contains("already has an input named 'input.1'"), clash.getMessage());
        String readme = ImportedTraining.readme(a.manifest(), "m.onnx", "SGD", 0.1f);
        assertTrue(readme.contains("1. `input.1`: float[batch, 2, 3]\n2. `target`: float[batch, 4]"), readme);
    }

    @Test
    void crossEntropyTakesInt64LabelsAndNeedsLogitsOfRankTwo() throws IOException {
        OnnxImport m = OnnxImport.read(write("m.onnx", viewThenLinear(), 17));
        ImportedTraining t = ImportedTraining.of(m, ImportedTraining.Loss.CROSS_ENTROPY, "y", "label", n -> false);
        Value label = t.trainingGraph().value("label");
        assertEquals(DataType.INT64, label.type());
        assertEquals(Shape.of(Shape.BATCH), label.shape());
        assertTrue(t.evalGraph().outputs().containsKey("y"));
    }

    @Test
    void unsupportedOperatorsGetOneLineEachNamingTheNodes() throws IOException {
        OnnxMl.GraphProto.Builder g = viewThenLinear()
                .addNode(node("Sin", "sin1", List.of("y"), List.of("s1")))
                .addNode(node("Sin", "sin2", List.of("s1"), List.of("s2")))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Gelu").setDomain("com.microsoft").addInput("s2")
                        .addOutput("s3").build());
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImport.read(write("m.onnx", g, 17)));
        List<String> lines = e.getMessage().lines().toList();
        assertEquals(3, lines.size(), e.getMessage());
        assertTrue(lines.get(0).endsWith("2 operator types are not supported for training (the supported ones are"
                + " listed in docs/onnx-import.md):"), lines.get(0));
        assertEquals("  Sin: sin1, sin2", lines.get(1));
        assertEquals("  com.microsoft.Gelu: #9", lines.get(2), "an unnamed node by its position, from 0");
    }

    @Test
    void refusesOtherOpsetsDynamicDimensionsAndTruncatedFiles() throws IOException {
        OnnxImportException opset = assertThrows(OnnxImportException.class,
                () -> OnnxImport.read(write("old.onnx", viewThenLinear(), 11)));
        assertTrue(opset.getMessage().contains("uses ONNX opset 11; the importer reads opsets 13 to 17"),
                opset.getMessage());

        OnnxMl.GraphProto.Builder dyn = viewThenLinear().setInput(0, info("input.1", 1, "N", "C", 3));
        OnnxImportException dynamic = assertThrows(OnnxImportException.class,
                () -> OnnxImport.read(write("dyn.onnx", dyn, 17)));
        assertTrue(dynamic.getMessage().contains("input 'input.1' has a dynamic dimension 'C' at axis 1"),
                dynamic.getMessage());

        byte[] whole = Files.readAllBytes(write("m.onnx", viewThenLinear(), 17));
        int refused = 0;
        for (int cut = 1; cut < whole.length; cut += 7) {
            Path p = dir.resolve("cut.onnx");
            Files.write(p, Arrays.copyOf(whole, cut));
            try {
                OnnxImport m = OnnxImport.read(p);
                Graph g = new Graph(Phase.TRAINING);
                Map<String, Value> bound = new LinkedHashMap<>();
                for (OnnxImport.Input in : m.inputs()) {
                    bound.put(in.onnxName(), g.input(in.name(), in.type(), in.shape().dims()));
                }
                m.addTo(g, bound, n -> false);
            } catch (OnnxImportException e) {
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                refused++;
            }
        }
        assertEquals((whole.length - 2) / 7 + 1, refused, "every truncation is refused with one line");
    }

    @Test
    void externalDataMustStayInTheModelsFolder() throws IOException {
        float[] w = new float[24];
        Arrays.fill(w, 0.5f);
        ByteBuffer b = ByteBuffer.allocate(96).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(w);
        Files.createDirectories(dir.resolve("model"));
        Files.write(dir.resolve("model/w.bin"), b.array());
        Files.write(dir.resolve("secret.bin"), b.array());
        for (String location : List.of("w.bin", "../secret.bin", dir.resolve("secret.bin").toString(), "link.bin",
                "missing.bin")) {
            OnnxMl.TensorProto external = OnnxMl.TensorProto.newBuilder().setName("fc.weight").setDataType(1)
                    .addDims(4).addDims(6).setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                    .build();
            OnnxMl.GraphProto.Builder g = viewThenLinear().setInitializer(0, external);
            Path model = write("model/m.onnx", g, 17);
            if (location.equals("link.bin") && !Files.exists(dir.resolve("model/link.bin"))) {
                Files.createSymbolicLink(dir.resolve("model/link.bin"), dir.resolve("secret.bin"));
            }
            if (location.equals("w.bin")) {
                OnnxImport m = OnnxImport.read(model);
                ImportedTraining t = ImportedTraining.of(m, ImportedTraining.Loss.MSE, null, "target", n -> false);
                assertArrayEquals(w, t.initialValue("fc.weight"));
                continue;
            }
            OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImport.read(model), location);
            String expected = switch (location) {
                case "link.bin" -> "leads outside the model's folder";
                case "missing.bin" -> "does not exist; copy it next to the model";
                default -> "points outside the model's folder";
            };
            assertTrue(e.getMessage().contains(expected), e.getMessage());
        }
    }

    @Test
    void namesTheBuilderCannotTakeAreMadeSafe() {
        Set<String> taken = new java.util.HashSet<>();
        assertEquals("onnx__Conv_12", OnnxImport.sanitize("onnx::Conv_12", taken));
        assertEquals("onnx__Conv_12_1", OnnxImport.sanitize("onnx::Conv_12", taken));
        assertEquals("w_grad_x", OnnxImport.sanitize("w_grad", taken));
        assertEquals("_a_b", OnnxImport.sanitize("/a/b", taken));
    }
}
