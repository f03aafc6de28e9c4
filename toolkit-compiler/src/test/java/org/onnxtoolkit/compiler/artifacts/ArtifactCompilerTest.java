package org.onnxtoolkit.compiler.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.graph.ConvOptions;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.GraphBuildException;
import org.onnxtoolkit.api.graph.Init;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.nn.Layers;
import org.onnxtoolkit.compiler.checkpoint.CheckpointContents;
import org.onnxtoolkit.compiler.checkpoint.CheckpointReader;
import org.onnxtoolkit.compiler.autodiff.GradientKernels;

class ArtifactCompilerTest {
    private static final long B = Shape.BATCH;

    @TempDir
    Path dir;

    static Graph net(Phase phase) {
        Graph g = new Graph(phase);
        Value x = g.input("x", B, 1, 4, 4);
        Value h = Layers.batchNorm2d(g, "bn", Layers.conv2d(g, "conv", x, 2, 3, ConvOptions.of(1, 1))).relu();
        Value y = Layers.linear(g, "fc", h.flatten(), 3);
        g.output("loss", y.mul(y).mean());
        g.output("y_mean", y.mean());
        return g;
    }

    static TrainingArtifacts compile(Graph train, Graph eval) {
        return ArtifactCompiler.compile(request(train, eval));
    }

    static ArtifactCompiler.Request request(Graph train, Graph eval) {
        return new ArtifactCompiler.Request(train, eval, "loss", Map.of("arch", "net"), GradientKernels.ORT_FUSED,
                AdamWSettings.pytorchAdam(), false, true);
    }

    /** {@link #net} with another activation or another initialisation of the last layer's bias. */
    static Graph variant(Phase phase, boolean tanh, Init lastBias) {
        Graph g = new Graph(phase);
        Value x = g.input("x", B, 1, 4, 4);
        Value bn = Layers.batchNorm2d(g, "bn", Layers.conv2d(g, "conv", x, 2, 3, ConvOptions.of(1, 1)));
        Value h = tanh ? bn.tanh() : bn.relu();
        Value w = g.parameter("fc/weight", Init.kaimingUniform(32), 3, 32);
        Value y = g.gemm(h.flatten(), w, g.parameter("fc/bias", lastBias, 3), false, true, 1f, 1f);
        g.output("loss", y.mul(y).mean());
        g.output("y_mean", y.mean());
        return g;
    }

    private static String fingerprint(ArtifactCompiler.Request r) {
        String key = ArtifactCompiler.fingerprint(r);
        assertEquals(key, ArtifactCompiler.compile(r).manifest().fingerprint(), "fingerprint() is what compile() gives");
        return key;
    }

    @Test
    void theFingerprintFollowsTheContentNotAVersion() throws IOException {
        Init bias = Init.fanInUniform(32);
        ArtifactCompiler.Request base = request(variant(Phase.TRAINING, false, bias), variant(Phase.INFERENCE, false, bias));
        String key = fingerprint(base);
        assertEquals(key, fingerprint(request(variant(Phase.TRAINING, false, bias), variant(Phase.INFERENCE, false, bias))),
                "the same graphs give the same key");

        // The same configuration map with another graph: a new key, though nothing was bumped.
        List<String> keys = new java.util.ArrayList<>(List.of(key));
        keys.add(fingerprint(request(variant(Phase.TRAINING, true, bias), variant(Phase.INFERENCE, true, bias))));
        // Identical model bytes, another initialisation: the manifest differs, so does the key.
        keys.add(fingerprint(request(variant(Phase.TRAINING, false, Init.zeros()),
                variant(Phase.INFERENCE, false, Init.zeros()))));
        Graph t = base.trainingGraph();
        Graph e = base.evalGraph();
        keys.add(fingerprint(new ArtifactCompiler.Request(t, e, "loss", Map.of("arch", "other"), GradientKernels.ORT_FUSED,
                AdamWSettings.pytorchAdam(), false, true)));
        keys.add(fingerprint(new ArtifactCompiler.Request(t, e, "loss", Map.of("arch", "net"),
                GradientKernels.STANDARD_ONNX, AdamWSettings.pytorchAdam(), false, true)));
        keys.add(fingerprint(new ArtifactCompiler.Request(t, e, "loss", Map.of("arch", "net"), GradientKernels.ORT_FUSED,
                new AdamWSettings(0.9f, 0.999f, 1e-7f, 0f, true, AdamWSettings.AdamMode.PYTORCH), false, true)));
        keys.add(fingerprint(new ArtifactCompiler.Request(t, e, "loss", Map.of("arch", "net"), GradientKernels.ORT_FUSED,
                AdamWSettings.pytorchAdam(), true, true)));
        keys.add(fingerprint(new ArtifactCompiler.Request(t, e, "loss", Map.of("arch", "net"), GradientKernels.ORT_FUSED,
                AdamWSettings.pytorchAdam(), false, false)));
        assertEquals(keys.size(), new java.util.HashSet<>(keys).size(), "every change gives its own key: " + keys);
    }

    @Test
    void modelsCarryTheFingerprintAndDifferOnlyThereFromTheHashedBytes() throws IOException {
        TrainingArtifacts a = compile(net(Phase.TRAINING), net(Phase.INFERENCE));
        for (byte[] bytes : List.of(a.trainingModel(), a.evalModel())) {
            OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(bytes);
            assertEquals(List.of(ArtifactCompiler.FINGERPRINT_KEY), m.getMetadataPropsList().stream()
                    .map(OnnxMl.StringStringEntryProto::getKey).toList());
            assertEquals(a.manifest().fingerprint(), m.getMetadataProps(0).getValue());
        }
        assertEquals(64, a.manifest().fingerprint().length());
        assertTrue(a.manifest().fingerprint().matches("[0-9a-f]+"));
        assertTrue(!a.manifest().toJson().contains("compilerVersion"), "no hand-bumped version any more");
    }

    @Test
    void outputIsDeterministic() {
        TrainingArtifacts a = compile(net(Phase.TRAINING), net(Phase.INFERENCE));
        TrainingArtifacts b = compile(net(Phase.TRAINING), net(Phase.INFERENCE));
        assertArrayEquals(a.trainingModel(), b.trainingModel());
        assertArrayEquals(a.evalModel(), b.evalModel());
        assertArrayEquals(a.optimizerModel(), b.optimizerModel());
        assertEquals(a.manifest().toJson(), b.manifest().toJson());
        assertArrayEquals(a.initialCheckpoint(1), b.initialCheckpoint(1));
        assertNotEquals(List.of(a.initialCheckpoint(1)), List.of(a.initialCheckpoint(2)));
    }

    @Test
    void trainingModelFollowsTheTrainingApiContract() throws IOException {
        TrainingArtifacts a = compile(net(Phase.TRAINING), net(Phase.INFERENCE));
        OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(a.trainingModel()).getGraph();
        List<String> inputs = g.getInputList().stream().map(OnnxMl.ValueInfoProto::getName).toList();
        assertEquals("x", inputs.get(0));
        assertEquals("conv/weight", inputs.get(1));
        assertTrue(inputs.contains("bn/running_var"));
        assertTrue(inputs.contains("fc/bias_grad.accumulation.buffer"));
        assertTrue(!inputs.contains("bn/running_mean_grad.accumulation.buffer"), "frozen parameters have no buffer");
        assertEquals("lazy_reset_grad", inputs.get(inputs.size() - 1));
        List<String> outputs = g.getOutputList().stream().map(OnnxMl.ValueInfoProto::getName).toList();
        assertEquals(List.of("loss", "y_mean"), outputs.subList(0, 2));
        assertTrue(outputs.contains("conv/weight_grad.accumulation.out"));
        assertTrue(outputs.contains("bn/running_mean_grad.accumulation.out"));
        long accumulators = g.getNodeList().stream().filter(n -> n.getOpType().equals("InPlaceAccumulatorV2")).count();
        assertEquals(6 + 2, accumulators, "one per trainable parameter plus the two running statistics");
        OnnxMl.ModelProto eval = OnnxMl.ModelProto.parseFrom(a.evalModel());
        assertTrue(eval.getOpsetImportList().stream().noneMatch(o -> o.getDomain().equals("com.microsoft")),
                "the eval model needs no contrib ops");
        assertEquals(a.manifest().parameters().stream().map(Manifest.ParameterEntry::name).toList(),
                eval.getGraph().getInputList().stream().map(OnnxMl.ValueInfoProto::getName).skip(1).toList());
        assertEquals(List.of("loss", "y_mean"), a.manifest().trainingOutputs());
    }

    @Test
    void initialCheckpointHoldsEveryParameterWithItsInitialisation() throws IOException {
        TrainingArtifacts a = compile(net(Phase.TRAINING), net(Phase.INFERENCE));
        Path file = dir.resolve("ckpt");
        Files.write(file, a.initialCheckpoint(3));
        CheckpointContents c = CheckpointReader.read(file);
        assertEquals(6, c.trainableParameters().size());
        assertEquals(2, c.frozenParameters().size());
        float[] w = c.trainableParameters().stream().filter(t -> t.name().equals("conv/weight")).findFirst().orElseThrow().data();
        double bound = 1 / Math.sqrt(9);
        for (float v : w) {
            assertTrue(Math.abs(v) <= bound, "kaiming bound");
        }
        float[] var = c.frozenParameters().stream().filter(t -> t.name().equals("bn/running_var")).findFirst().orElseThrow()
                .data();
        assertArrayEquals(new float[] {1f, 1f}, var);
    }

    @Test
    void writeAndReadBackDetectsCorruption() throws IOException {
        TrainingArtifacts a = compile(net(Phase.TRAINING), net(Phase.INFERENCE));
        a.writeTo(dir);
        TrainingArtifacts back = TrainingArtifacts.readFrom(dir);
        assertArrayEquals(a.trainingModel(), back.trainingModel());
        assertEquals(a.manifest().toJson(), back.manifest().toJson());
        byte[] bytes = Files.readAllBytes(dir.resolve(TrainingArtifacts.EVAL_MODEL));
        bytes[bytes.length / 2] ^= 1;
        Files.write(dir.resolve(TrainingArtifacts.EVAL_MODEL), bytes);
        IOException e = assertThrows(IOException.class, () -> TrainingArtifacts.readFrom(dir));
        assertTrue(e.getMessage().contains("eval_model.onnx") && e.getMessage().contains("SHA-256"), e.getMessage());
        Files.delete(dir.resolve(TrainingArtifacts.MANIFEST));
        e = assertThrows(IOException.class, () -> TrainingArtifacts.readFrom(dir));
        assertTrue(e.getMessage().contains("manifest.json is missing"), e.getMessage());
        Files.writeString(dir.resolve(TrainingArtifacts.MANIFEST), "{not json");
        e = assertThrows(IOException.class, () -> TrainingArtifacts.readFrom(dir));
        assertTrue(e.getMessage().contains("malformed manifest"), e.getMessage());
    }

    private static void assertRejected(Function<Phase, Graph> build, String... fragments) {
        GraphBuildException e = assertThrows(GraphBuildException.class,
                () -> compile(build.apply(Phase.TRAINING), build.apply(Phase.INFERENCE)));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "'" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void malformedGraphsAreRejectedWithClearMessages() {
        assertRejected(phase -> {
            Graph g = new Graph(phase);
            g.output("loss", Layers.linear(g, "fc", g.input("x", B, 2), 3));
            return g;
        }, "loss must be a float scalar", "[batch, 3]");
        assertRejected(phase -> {
            Graph g = new Graph(phase);
            g.output("other", Layers.linear(g, "fc", g.input("x", B, 2), 1).mean());
            return g;
        }, "declares no output 'loss'", "[other]");
        assertRejected(phase -> {
            Graph g = new Graph(phase);
            g.parameter("unused", Init.zeros(), 3);
            g.output("loss", Layers.linear(g, "fc", g.input("x", B, 2), 1).mean());
            return g;
        }, "'unused'", "does not influence the loss");
        assertRejected(phase -> {
            Graph g = new Graph(phase);
            g.output("loss", g.input("x", B, 2).mean());
            return g;
        }, "does not depend on any trainable parameter");
        GraphBuildException e = assertThrows(GraphBuildException.class, () -> compile(net(Phase.TRAINING),
                net(Phase.TRAINING)));
        assertTrue(e.getMessage().contains("Phase.INFERENCE"), e.getMessage());
        Graph other = new Graph(Phase.INFERENCE);
        Layers.linear(other, "fc", other.input("x", B, 2), 1);
        other.output("loss", other.value("fc/Gemm").mean());
        e = assertThrows(GraphBuildException.class, () -> compile(net(Phase.TRAINING), other));
        assertTrue(e.getMessage().contains("same parameters in the same order") && e.getMessage().contains("position 0"),
                e.getMessage());
    }
}
