package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.PluginOptions;
import org.onnxtoolkit.compiler.artifacts.AdamWSettings;
import org.onnxtoolkit.compiler.artifacts.ArtifactCompiler;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.autodiff.GradientKernels;
import org.onnxtoolkit.compiler.checkpoint.CheckpointContents;
import org.onnxtoolkit.compiler.checkpoint.CheckpointReader;
import org.onnxtoolkit.compiler.checkpoint.NamedTensor;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.runtime.plugins.PluginLoader;
import org.onnxtoolkit.runtime.plugins.PluginRegistry;

/**
 * The conv VAE's initial parameters (preset {@code celeba64}, 3x64x64) against PyTorch's defaults for the same
 * layers (Debian python3-torch; {@code torch_reference.ConvVae} built with torch.nn's default initialisation):
 * per tensor of every Conv, ConvTranspose, Linear and BatchNorm layer, the same shape; the toolkit's values
 * within the bound PyTorch draws from ({@code 1/sqrt(fan_in)} with PyTorch's own fan computation, which for
 * ConvTranspose2d takes {@code weight.size(1) * k * k}, the output channels), reaching close to it, and with the
 * mean and standard deviation of PyTorch's own draw within six standard errors of the difference of two
 * independent uniform samples; BatchNorm's weight, bias, running mean and running variance equal PyTorch's
 * constants, and its epsilon and momentum are PyTorch's. Writes {@code target/initialisation-parity.md}.
 */
class InitialisationParityIT {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path tmp;

    @Test
    void convVaeStartsAsPytorchDefaults() throws Exception {
        assumeTrue(EvaluateIT.torchAvailable(), "Debian python3-torch and python3-onnx are not installed"
                + " (apt-get install python3-torch python3-onnx)");
        ImageShape shape = new ImageShape(3, 64, 64);
        Map<String, NamedTensor> ours = new LinkedHashMap<>();
        Map<String, String> settings;
        float momentum;
        float epsilon;
        try (PluginRegistry plugins = PluginLoader.load(List.of(Path.of(System.getProperty("toolkit.home"), "plugins")))) {
            Architecture a = plugins.architecture("conv-vae");
            LatentModel model = a.create(PluginOptions.of(a.id(), a.options(), Map.of("preset", "celeba64")), shape);
            Objective objective = plugins.objective(model.recommendedTraining().objective());
            ModelGraphs graphs = new ModelGraphs(model, objective,
                    PluginOptions.of(objective.id(), objective.options(), Map.of()));
            TrainingArtifacts artifacts = ArtifactCompiler.compile(new ArtifactCompiler.Request(
                    graphs.objectiveGraph(Phase.TRAINING), graphs.objectiveGraph(Phase.INFERENCE), ModelGraphs.LOSS,
                    graphs.configuration(), GradientKernels.ORT_FUSED, AdamWSettings.pytorchAdam(), true, true));
            // The seed the CLI uses by default; the values are drawn as a run draws them.
            CheckpointContents init = CheckpointReader.read(artifacts.initialCheckpoint(1), "initial checkpoint");
            init.trainableParameters().forEach(t -> ours.put(t.name(), t));
            init.frozenParameters().forEach(t -> ours.put(t.name(), t));
            settings = new TreeMap<>(model.configuration());
            float[] bn = batchNormAttributes(artifacts.trainingModel());
            epsilon = bn[0];
            momentum = bn[1];
        }
        settings.put("image_chw", "3,64,64");
        settings.put("seed", "1");
        Path exchange = tmp.resolve("exchange");
        PytorchParityIT.writeExchange(exchange, settings, Map.of(), Map.of());
        Map<String, float[]> torch = PytorchParityIT.runPeer(tmp, exchange, 300, "torch_init.py", "torch_reference.py");

        StringBuilder report = new StringBuilder("| tensor | n | PyTorch bound | ours: mean, std, max abs | PyTorch: mean,"
                + " std, max abs |\n|---|---|---|---|---|\n");
        int compared = 0;
        for (Map.Entry<String, float[]> e : torch.entrySet()) {
            String name = e.getKey();
            if (name.contains(":")) {
                continue;
            }
            NamedTensor mine = ours.get(name);
            assertTrue(mine != null, "the toolkit has no tensor " + name + "; it has " + ours.keySet());
            float[] theirs = e.getValue();
            assertEquals(theirs.length, mine.data().length, name + ": element count");
            double bound = torch.get("bound:" + name)[0];
            Stats o = Stats.of(mine.data());
            Stats t = Stats.of(theirs);
            int n = theirs.length;
            if (bound == 0) {
                // BatchNorm: constants (weight 1, bias 0, running mean 0, running variance 1).
                for (int i = 0; i < n; i++) {
                    assertEquals(theirs[i], mine.data()[i], 0f, name + "[" + i + "]");
                }
                assertEquals(torch.get("eps:" + name)[0], epsilon, 1e-9, name + ": epsilon");
                assertEquals(1 - torch.get("momentum:" + name)[0], momentum, 1e-6,
                        name + ": momentum (ONNX's is 1 - PyTorch's)");
            } else {
                assertTrue(o.maxAbs <= bound * (1 + 1e-6), name + ": max |w| " + o.maxAbs + " beyond PyTorch's bound " + bound);
                if (n >= 100) {
                    // n uniform draws all below 0.9 b: probability 0.9^n, below 3e-5 for n >= 100.
                    assertTrue(o.maxAbs >= 0.9 * bound, name + ": max |w| " + o.maxAbs + " far inside PyTorch's bound "
                            + bound + " (a smaller fan-in scale?)");
                }
                // Two independent U(-b, b) samples of n values: the difference of their means has standard error
                // b sqrt(2 / (3n)), of their standard deviations about 0.365 b / sqrt(n).
                double meanError = bound * Math.sqrt(2.0 / (3.0 * n));
                double stdError = 0.365 * bound / Math.sqrt(n);
                assertEquals(t.mean, o.mean, 6 * meanError, name + ": mean");
                assertEquals(t.std, o.std, 6 * stdError + 1e-9, name + ": standard deviation");
            }
            compared++;
            report.append(String.format(Locale.ROOT, "| %s | %d | %.5f | %.5f, %.5f, %.5f | %.5f, %.5f, %.5f |%n", name, n,
                    bound, o.mean, o.std, o.maxAbs, t.mean, t.std, t.maxAbs));
        }
        assertEquals(ours.size(), compared, "every tensor of ours has a PyTorch counterpart");
        Path out = Path.of("target", "initialisation-parity.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
    }

    /** {@code {epsilon, momentum}} of the training model's batch normalisations, which must all agree. */
    static float[] batchNormAttributes(byte[] model) throws Exception {
        ai.onnx.proto.OnnxMl.GraphProto g = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(model).getGraph();
        float[] found = null;
        for (ai.onnx.proto.OnnxMl.NodeProto n : g.getNodeList()) {
            // The training form is com.microsoft's BatchNormInternal (ORT's training kernel), with ONNX's attributes.
            if (!n.getOpType().equals("BatchNormalization") && !n.getOpType().equals("BatchNormInternal")) {
                continue;
            }
            float eps = 1e-5f;
            float momentum = 0.9f; // ONNX's defaults
            for (ai.onnx.proto.OnnxMl.AttributeProto a : n.getAttributeList()) {
                if (a.getName().equals("epsilon")) {
                    eps = a.getF();
                } else if (a.getName().equals("momentum")) {
                    momentum = a.getF();
                }
            }
            float[] these = {eps, momentum};
            assertTrue(found == null || java.util.Arrays.equals(found, these), n.getName() + ": " + eps + ", " + momentum);
            found = these;
        }
        assertTrue(found != null, "the training model has no BatchNormalization");
        return found;
    }

    record Stats(double mean, double std, double maxAbs) {
        static Stats of(float[] v) {
            double mean = 0;
            double max = 0;
            for (float x : v) {
                mean += x;
                max = Math.max(max, Math.abs(x));
            }
            mean /= v.length;
            double sq = 0;
            for (float x : v) {
                sq += (x - mean) * (x - mean);
            }
            return new Stats(mean, Math.sqrt(sq / Math.max(1, v.length - 1)), max);
        }
    }
}
