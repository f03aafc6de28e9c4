package org.onnxtoolkit.compiler.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.autodiff.ModelAssembler;
import org.onnxtoolkit.compiler.onnx.OnnxModelWriter;
import org.onnxtoolkit.compiler.testutil.ExternalTools;

/** Our models pass the ONNX reference checker (Debian python3-onnx 1.12), including strict shape inference. */
class OnnxCheckerTest {
    @TempDir
    Path dir;

    @Test
    void generatedModelsPassTheOnnxChecker() throws IOException {
        assumeTrue(ExternalTools.pythonHas("onnx"), "Debian python3-onnx is not installed (apt-get install python3-onnx)");
        TrainingArtifacts a = ArtifactCompilerTest.compile(ArtifactCompilerTest.net(Phase.TRAINING),
                ArtifactCompilerTest.net(Phase.INFERENCE));
        a.writeTo(dir);
        var inferenceGraph = ArtifactCompilerTest.net(Phase.INFERENCE);
        Map<String, float[]> values = new HashMap<>();
        for (Value p : inferenceGraph.parameters()) {
            values.put(p.name(), new float[(int) p.shape().elementCount()]);
        }
        Path inference = dir.resolve("inference.onnx");
        Files.write(inference, OnnxModelWriter.write(ModelAssembler.inference(inferenceGraph, values), "inference",
                Map.of("toolkit.version", "test")));
        String script = String.join("\n",
                "import sys, onnx",
                "for p in sys.argv[1:]:",
                "    m = onnx.load(p)",
                "    onnx.checker.check_model(m, full_check=True)",
                "    print('ok', p)");
        List<String> files = List.of(dir.resolve(TrainingArtifacts.TRAINING_MODEL).toString(),
                dir.resolve(TrainingArtifacts.EVAL_MODEL).toString(),
                dir.resolve(TrainingArtifacts.OPTIMIZER_MODEL).toString(), inference.toString());
        ExternalTools.Result r = ExternalTools.python(script, files, 300);
        assertEquals(0, r.exitCode(), r.output());
    }
}
