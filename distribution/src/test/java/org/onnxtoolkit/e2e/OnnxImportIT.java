package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.compiler.artifacts.AdamWSettings;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.autodiff.ModelAssembler;
import org.onnxtoolkit.compiler.imports.ImportedTraining;
import org.onnxtoolkit.compiler.imports.OnnxImport;
import org.onnxtoolkit.compiler.io.Json;
import org.onnxtoolkit.engine.ort.Outputs;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.ort.TrainingSession;

/**
 * Models designed and initialised in PyTorch (Debian python3-torch 1.13), exported by {@code torch.onnx.export}
 * in the test ({@code onnximport/torch_models.py}): an MLP regressor (MSE), a CNN classifier with batch norm,
 * max pooling, dropout and cross-entropy on int64 labels, and a VAE (encoder and decoder in one model of the
 * picture and the noise, BCE with logits). For each, {@code artifacts --model} writes the artifacts, ONNX Runtime
 * trains them from Java for 100 steps of Adam (lr 1e-3) on the batches PyTorch trained on, in the same order,
 * and:
 * <ul>
 *   <li>the first step's loss equals PyTorch's to a relative {@value #LOSS_TOLERANCE}, and every parameter's
 *       gradient to {@value #GRADIENT_TOLERANCE} of the tensor's largest gradient magnitude, or to 1e-6 of the
 *       model's largest (conv biases before batch norm have a true gradient of zero, so both sides return
 *       rounding noise for them, as in {@code PytorchParityIT}) (the same artifacts
 *       compiled through the same importer with the gradients exposed as outputs);</li>
 *   <li>every one of the 100 losses is within a relative {@value #CURVE_TOLERANCE} of PyTorch's (float32
 *       rounding compounds through Adam's normalised steps);</li>
 *   <li>the parameters frozen with {@code --frozen} are bit-identical to the model's values after training.</li>
 * </ul>
 * The CNN's dropout is exported with p=0 for the comparison (ONNX Runtime's and PyTorch's masks differ); the
 * p=0.25 export trains too. Malformed models through the CLI each give one line (several for several unsupported
 * operator types) and exit 1 or 2.
 */
class OnnxImportIT {
    static final double LOSS_TOLERANCE = 1e-5;
    static final double GRADIENT_TOLERANCE = 1e-4;
    static final double CURVE_TOLERANCE = 2e-3;
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final int STEPS = 100;
    static final int BATCH = 16;
    static final Map<String, String> REPORT = new TreeMap<>();

    @TempDir
    static Path models;

    @BeforeAll
    static void export() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "needs " + PYTHON + " with Debian's python3-torch");
        Assumptions.assumeTrue(python("-c", "import torch, onnx").exitCode() == 0,
                "needs Debian's python3-torch and python3-onnx for " + PYTHON);
        Path script = copyResource("torch_models.py");
        Cli.Result r = python(script.toString(), models.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    static Path copyResource(String name) throws IOException {
        Path script = models.resolve(name);
        try (InputStream s = OnnxImportIT.class.getResourceAsStream("/onnximport/" + name)) {
            Files.copy(s, script, StandardCopyOption.REPLACE_EXISTING);
        }
        return script;
    }

    static Cli.Result python(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("python", ".out");
        Path err = Files.createTempFile("python", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("python timed out: " + command);
        }
        return new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** One model's comparison: what the CLI is given and how its batches are laid out. */
    record Case(String name, String loss, String target, String frozen, List<String> inputs, long[][] inputShapes,
                boolean intTarget, long[] targetShape, int targetFromInput) {
    }

    @Test
    void mlpRegressorMatchesPytorch() throws Exception {
        parity(new Case("mlp", "mse", "y_true", "^fc1\\.bias$", List.of("x"), new long[][] {{BATCH, 8}}, false,
                new long[] {BATCH, 1}, -1));
    }

    @Test
    void cnnClassifierWithBatchNormMaxPoolDropoutMatchesPytorch() throws Exception {
        parity(new Case("cnn", "cross-entropy", "label", "^conv1\\.weight$", List.of("image"),
                new long[][] {{BATCH, 1, 12, 12}}, true, new long[] {BATCH}, -1));
    }

    @Test
    void vaeEncoderDecoderMatchesPytorch() throws Exception {
        parity(new Case("vae", "bce-logits", "x_target", null, List.of("x", "eps"),
                new long[][] {{BATCH, 1, 8, 8}, {BATCH, 4}}, false, new long[] {BATCH, 1, 8, 8}, 0));
    }

    void parity(Case c) throws Exception {
        Path model = models.resolve(c.name() + ".onnx");
        Path dir = models.resolve(c.name() + "-artifacts");
        List<String> args = new ArrayList<>(List.of("artifacts", "--model", model.toString(), "--loss", c.loss(),
                "--target", c.target(), "--out", dir.toString()));
        if (c.frozen() != null) {
            args.addAll(List.of("--frozen", c.frozen()));
        }
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(Files.readString(dir.resolve("README.md")).contains("1. `" + c.inputs().get(0) + "`"),
                "README lists the inputs in order");
        Cli.Result inspect = Cli.run("artifacts", "--inspect", dir.toString());
        assertEquals(0, inspect.exitCode(), inspect.toString());
        assertTrue(inspect.out().contains("inputs, in order: " + c.inputs().get(0)), inspect.out());
        assertTrue(inspect.out().contains(c.target()), inspect.out());

        JsonNode reference = Json.MAPPER.readTree(models.resolve(c.name() + ".json").toFile());
        List<Map<String, Tensor>> batches = batches(c);

        // First step: loss and every gradient, from the same import compiled with the gradients exposed.
        ImportedTraining training = ImportedTraining.of(OnnxImport.read(model), ImportedTraining.Loss.of(c.loss()),
                null, c.target(), c.frozen() == null ? n -> false : Pattern.compile(c.frozen()).asPredicate());
        TrainingArtifacts exposed = training.compile(false, AdamWSettings.pytorchAdam(), true);
        double worstGradient = 0;
        try (TrainingSession s = TrainingSession.openFromBytes(training.checkpoint(Map.of()), exposed.trainingModel(),
                null, null, SessionConfig.cpu().withIntraOpThreads(2))) {
            Outputs out = s.trainStep(batches.get(0));
            double loss = out.get(ImportedTraining.LOSS).item();
            double expected = reference.get("losses").get(0).asDouble();
            assertTrue(Math.abs(loss - expected) <= LOSS_TOLERANCE * Math.abs(expected),
                    c.name() + ": first loss " + loss + " vs PyTorch " + expected);
            double modelMax = 0;
            for (JsonNode g : reference.get("first_gradients")) {
                for (JsonNode v : g) {
                    modelMax = Math.max(modelMax, Math.abs(v.asDouble()));
                }
            }
            var names = reference.get("first_gradients").fieldNames();
            int compared = 0;
            while (names.hasNext()) {
                String onnxName = names.next();
                float[] ours = out.get(ModelAssembler.GRADIENT_OUTPUT_PREFIX + OnnxImport.parameterName(onnxName))
                        .toFloatArray();
                JsonNode theirs = reference.get("first_gradients").get(onnxName);
                assertEquals(theirs.size(), ours.length, onnxName);
                double max = 0;
                double diff = 0;
                for (int i = 0; i < ours.length; i++) {
                    max = Math.max(max, Math.abs(theirs.get(i).asDouble()));
                    diff = Math.max(diff, Math.abs(theirs.get(i).asDouble() - ours[i]));
                }
                double rel = diff / Math.max(max, 1e-12);
                // A conv bias before batch norm has a true gradient of zero: both sides return rounding noise.
                boolean noise = diff <= 1e-6 * modelMax;
                worstGradient = Math.max(worstGradient, diff / modelMax);
                assertTrue(rel <= GRADIENT_TOLERANCE || noise, c.name() + ": gradient of " + onnxName + " differs by " + diff
                        + " (largest magnitude " + max + ")");
                compared++;
            }
            assertTrue(compared > 0, "no gradients compared");
        }

        // 100 steps with the CLI's artifacts and checkpoint, the batches in PyTorch's order.
        TrainingArtifacts artifacts = TrainingArtifacts.readFrom(dir);
        Map<String, float[]> frozenBefore = new LinkedHashMap<>();
        double worstCurve = 0;
        try (TrainingSession s = TrainingSession.open(dir.resolve("checkpoint"), artifacts.trainingModel(),
                artifacts.evalModel(), artifacts.optimizerModel(), SessionConfig.cpu().withIntraOpThreads(2))) {
            s.setLearningRate(1e-3f);
            for (var p : artifacts.manifest().parameters()) {
                if (!p.trainable() && !p.name().contains("running_")) {
                    frozenBefore.put(p.name(), s.parameter(p.name()).toFloatArray());
                }
            }
            for (int step = 0; step < STEPS; step++) {
                s.lazyResetGrad();
                double loss = s.trainStep(batches.get(step)).get(ImportedTraining.LOSS).item();
                s.optimizerStep();
                double expected = reference.get("losses").get(step).asDouble();
                double rel = Math.abs(loss - expected) / Math.max(Math.abs(expected), 1e-6);
                worstCurve = Math.max(worstCurve, rel);
                assertTrue(rel <= CURVE_TOLERANCE, c.name() + ": step " + step + " loss " + loss + " vs PyTorch "
                        + expected);
            }
            for (Map.Entry<String, float[]> f : frozenBefore.entrySet()) {
                assertArrayEquals(f.getValue(), s.parameter(f.getKey()).toFloatArray(), f.getKey() + " changed");
                JsonNode torchFinal = reference.get("frozen").get(f.getKey());
                if (torchFinal != null) {
                    assertEquals((float) torchFinal.get(0).asDouble(), f.getValue()[0], f.getKey());
                }
            }
            Outputs eval = s.evalStep(batches.get(0));
            assertTrue(Double.isFinite(eval.get(ImportedTraining.LOSS).item()), "eval loss");
        }
        if (c.frozen() != null) {
            assertTrue(!frozenBefore.isEmpty(), "a parameter was frozen");
        }
        long params = 0;
        for (var p : artifacts.manifest().parameters()) {
            params += p.elementCount();
        }
        synchronized (REPORT) {
            REPORT.put(c.name(), String.format(Locale.ROOT, "%s: %d parameter values, %d bytes; first loss %.6f;"
                            + " largest gradient difference %.2e of the model's largest gradient; worst loss difference over"
                            + " %d steps %.2e (relative); PyTorch's last loss %.6f", c.name(), params,
                    Files.size(model), reference.get("losses").get(0).asDouble(), worstGradient, STEPS, worstCurve,
                    reference.get("losses").get(STEPS - 1).asDouble()));
        }
    }

    /** The batches PyTorch trained on: for each step the inputs, then the target (or input {@code targetFromInput}). */
    List<Map<String, Tensor>> batches(Case c) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(models.resolve(c.name() + ".data.bin")))
                .order(ByteOrder.LITTLE_ENDIAN);
        List<Map<String, Tensor>> out = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            List<float[]> inputs = new ArrayList<>();
            for (int i = 0; i < c.inputs().size(); i++) {
                float[] v = floats(data, count(c.inputShapes()[i]));
                inputs.add(v);
                feeds.put(c.inputs().get(i), Tensor.of(v, c.inputShapes()[i]));
            }
            if (c.targetFromInput() >= 0) {
                feeds.put(c.target(), Tensor.of(inputs.get(c.targetFromInput()), c.targetShape()));
            } else if (c.intTarget()) {
                long[] labels = new long[(int) count(c.targetShape())];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = data.getLong();
                }
                feeds.put(c.target(), Tensor.of(labels, c.targetShape()));
            } else {
                feeds.put(c.target(), Tensor.of(floats(data, count(c.targetShape())), c.targetShape()));
            }
            out.add(feeds);
        }
        assertEquals(0, data.remaining(), "every batch read");
        return out;
    }

    static float[] floats(ByteBuffer b, long n) {
        float[] f = new float[(int) n];
        for (int i = 0; i < f.length; i++) {
            f[i] = b.getFloat();
        }
        return f;
    }

    static long count(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    @Test
    void cnnWithDropoutTrains() throws Exception {
        Path dir = models.resolve("cnn-dropout-artifacts");
        Cli.Result r = Cli.run("artifacts", "--model", models.resolve("cnn_dropout.onnx").toString(), "--loss",
                "cross-entropy", "--target", "label", "--optimizer", "sgd", "--lr", "0.05", "--out", dir.toString());
        assertEquals(0, r.exitCode(), r.toString());
        TrainingArtifacts artifacts = TrainingArtifacts.readFrom(dir);
        List<Map<String, Tensor>> batches = batches(new Case("cnn", "cross-entropy", "label", null, List.of("image"),
                new long[][] {{BATCH, 1, 12, 12}}, true, new long[] {BATCH}, -1));
        try (TrainingSession s = TrainingSession.open(dir.resolve("checkpoint"), artifacts.trainingModel(),
                artifacts.evalModel(), artifacts.optimizerModel(), SessionConfig.cpu().withIntraOpThreads(2))) {
            s.setLearningRate(0.05f);
            // Dropout draws a new mask on every step: the same batch twice gives two losses.
            double a = s.trainStep(batches.get(0)).get("loss").item();
            double b = s.trainStep(batches.get(0)).get("loss").item();
            assertTrue(a != b, "dropout is active in training: " + a + " " + b);
            double e1 = s.evalStep(batches.get(0)).get("loss").item();
            double e2 = s.evalStep(batches.get(0)).get("loss").item();
            assertEquals(e1, e2, "no dropout in the eval model");
            double first = 0;
            double last = 0;
            for (int step = 0; step < STEPS; step++) {
                s.lazyResetGrad();
                double loss = s.trainStep(batches.get(step)).get("loss").item();
                s.optimizerStep();
                first += step < 10 ? loss / 10 : 0;
                last += step >= STEPS - 10 ? loss / 10 : 0;
            }
            assertTrue(last < 0.5 * first, "SGD with dropout learns: first ten " + first + ", last ten " + last);
        }
    }

    /** Each malformed model through the CLI: one line per problem, exit 1 (what is in the file) or 2 (the path). */
    @Test
    void malformedModelsAreRefusedWithOneLine() throws Exception {
        Path script = copyResource("malformed_models.py");
        Path dir = Files.createDirectories(models.resolve("malformed"));
        Cli.Result made = python(script.toString(), dir.toString(), models.resolve("mlp.onnx").toString());
        assertEquals(0, made.exitCode(), made.toString());

        Cli.Result unsupported = artifacts(dir.resolve("unsupported.onnx"));
        assertEquals(1, unsupported.exitCode(), unsupported.toString());
        List<String> lines = unsupported.err().lines().toList();
        assertEquals(4, lines.size(), unsupported.err());
        assertTrue(lines.get(0).contains("3 operator types are not supported"), lines.get(0));
        assertTrue(lines.get(1).matches("  Cos: \\S+"), lines.get(1));
        assertTrue(lines.get(2).matches("  Erf: \\S+"), lines.get(2));
        assertTrue(lines.get(3).matches("  Sin: \\S+"), lines.get(3));

        Cli.Result dynamic = artifacts(dir.resolve("dynamic.onnx"));
        assertEquals(1, dynamic.exitCode(), dynamic.toString());
        assertOneLine(dynamic, "has a dynamic dimension 'height' at axis 2; only the first axis (the batch) may be"
                + " dynamic");

        Path truncated = dir.resolve("truncated.onnx");
        byte[] whole = Files.readAllBytes(models.resolve("mlp.onnx"));
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2 + 3));
        Cli.Result cut = artifacts(truncated);
        assertEquals(1, cut.exitCode(), cut.toString());
        assertOneLine(cut, "truncated.onnx is not a readable ONNX model (truncated or damaged");

        Cli.Result outside = artifacts(dir.resolve("outside/mlp.onnx"));
        assertEquals(1, outside.exitCode(), outside.toString());
        assertOneLine(outside, "the external data '../inside/weights.bin' of initializer 'fc1.weight' points"
                + " outside the model's folder");

        Cli.Result inside = artifacts(dir.resolve("inside/mlp.onnx"));
        assertEquals(0, inside.exitCode(), inside.toString());

        Cli.Result missing = artifacts(dir.resolve("no-such-model.onnx"));
        assertEquals(2, missing.exitCode(), missing.toString());
        assertOneLine(missing, "does not exist");

        Cli.Result noLoss = Cli.run("artifacts", "--model", models.resolve("mlp.onnx").toString(), "--out",
                dir.resolve("x").toString());
        assertEquals(2, noLoss.exitCode(), noLoss.toString());
        assertOneLine(noLoss, "--model needs --loss");

        Cli.Result badOutput = Cli.run("artifacts", "--model", models.resolve("mlp.onnx").toString(), "--loss",
                "mse:nope", "--out", dir.resolve("x").toString());
        assertEquals(2, badOutput.exitCode(), badOutput.toString());
        assertOneLine(badOutput, "has no output 'nope' (its outputs: y)");
    }

    /** --inspect reads any artifact folder: a pre-built one of the toolkit has graphs but no checkpoint. */
    @Test
    void inspectShowsAPrebuiltArtifactSet() {
        Path prebuilt = Path.of(System.getProperty("toolkit.repo"), "artifacts", "mlp-vae");
        Cli.Result r = Cli.run("artifacts", "--inspect", prebuilt.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("training_model.onnx (TrainStep)\n  inputs, in order: x float[batch, 1, 28, 28],"
                + " kl_weight float[]"), r.out());
        assertTrue(r.out().contains("optimizer_model.onnx: com.microsoft.AdamWOptimizer"), r.out());
        assertTrue(r.out().contains("checkpoint: absent"), r.out());
        Cli.Result none = Cli.run("artifacts", "--inspect", models.toString());
        assertEquals(2, none.exitCode(), none.toString());
        assertOneLine(none, "holds no training artifacts");
    }

    static Cli.Result artifacts(Path model) {
        return Cli.run("artifacts", "--model", model.toString(), "--loss", "mse", "--out",
                model.resolveSibling(model.getFileName() + "-artifacts").toString());
    }

    static void assertOneLine(Cli.Result r, String expected) {
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.toString());
        assertTrue(lines.get(0).contains(expected), lines.get(0));
    }

    @AfterAll
    static void report() throws IOException {
        if (REPORT.isEmpty()) {
            return;
        }
        Path out = Path.of("target", "onnx-import-parity.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, String.join("\n", REPORT.values()) + "\n");
    }
}
