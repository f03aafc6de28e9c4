package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.compiler.artifacts.AdamWSettings;
import org.onnxtoolkit.compiler.artifacts.OptimizerModelWriter;
import org.onnxtoolkit.compiler.checkpoint.CheckpointContents;
import org.onnxtoolkit.compiler.checkpoint.CheckpointReader;
import org.onnxtoolkit.compiler.checkpoint.NamedTensor;
import org.onnxtoolkit.compiler.checkpoint.OptimizerGroupState;
import org.onnxtoolkit.compiler.testutil.LinearReference;
import org.onnxtoolkit.compiler.testutil.TinyModels;

/** Training sessions over the hand-built linear model, compared with a plain-Java reference. */
class TrainingSessionTest {

    private static final int IN = 4;
    private static final int OUT = 2;
    private static final int BATCH = 5;
    private static final TinyModels.Linear MODEL = new TinyModels.Linear(IN, OUT, true);
    private static final AdamWSettings ADAM = AdamWSettings.pytorchAdam();
    private static final float LR = 0.05f;

    @TempDir
    Path dir;

    private static TrainingSession open() {
        return TrainingSession.openFromBytes(MODEL.checkpoint(11), MODEL.trainingModel(), MODEL.evalModel(),
                OptimizerModelWriter.adamW(ADAM), SessionConfig.cpu());
    }

    /** Batch number {@code k}: x ~ N(0,1), target = x . A + noise for a fixed A; the inputs by name. */
    private static Map<String, Tensor> batch(int k) {
        Random r = new Random(1000 + k);
        float[] x = TinyModels.gaussian(r, BATCH * IN, 1f);
        float[] t = new float[BATCH * OUT];
        for (int n = 0; n < BATCH; n++) {
            for (int j = 0; j < OUT; j++) {
                float s = 0.3f * j;
                for (int i = 0; i < IN; i++) {
                    s += x[n * IN + i] * (i - j) * 0.5f;
                }
                t[n * OUT + j] = s + (float) r.nextGaussian() * 0.01f;
            }
        }
        return Map.of("x", Tensor.of(x, BATCH, IN), "target", Tensor.of(t, BATCH, OUT));
    }

    /** Every parameter, trainable and frozen, in one array: weight, bias, offset. */
    private static float[] allParameters(TrainingSession s) {
        float[] w = s.parameter(TinyModels.Linear.WEIGHT).toFloatArray();
        float[] b = s.parameter(TinyModels.Linear.BIAS).toFloatArray();
        float[] o = s.parameter(TinyModels.Linear.OFFSET).toFloatArray();
        float[] all = Arrays.copyOf(w, w.length + b.length + o.length);
        System.arraycopy(b, 0, all, w.length, b.length);
        System.arraycopy(o, 0, all, w.length + b.length, o.length);
        return all;
    }

    @Test
    void opensAndReportsUserInputsAndOutputs() {
        try (TrainingSession s = open()) {
            assertEquals(List.of("x", "target"), s.trainingInputNames());
            assertEquals(List.of("loss", "yhat"), s.trainingOutputNames());
            assertEquals(List.of("x", "target"), s.evalInputNames());
            assertEquals(List.of("loss", "yhat"), s.evalOutputNames());
            assertTrue(s.hasEvalModel());
            assertTrue(s.hasOptimizerModel());
            assertEquals(0.001f, s.learningRate(), "ORT's default learning rate without optimizer state");
        }
    }

    @Test
    void trainStepAndOptimizerStepMatchJavaReference() {
        float[] w = MODEL.initialTrainable(11).get(0).data();
        float[] b = MODEL.initialTrainable(11).get(1).data();
        float[] offset = MODEL.initialFrozen().get(0).data();
        float[] mw = new float[w.length];
        float[] vw = new float[w.length];
        float[] mb = new float[b.length];
        float[] vb = new float[b.length];
        try (TrainingSession s = open()) {
            s.setLearningRate(LR);
            assertEquals(LR, s.learningRate());
            for (int step = 1; step <= 3; step++) {
                Map<String, Tensor> in = batch(step);
                LinearReference.Result ref = LinearReference.forwardBackward(in.get("x").toFloatArray(),
                        in.get("target").toFloatArray(), w, b, offset, BATCH, IN, OUT);
                s.lazyResetGrad();
                Outputs out = s.trainStep(in);
                s.optimizerStep();

                assertEquals(List.of("loss", "yhat"), out.names());
                assertEquals(0, out.get("loss").rank(), "loss is a scalar");
                assertEquals(ref.loss(), out.get("loss").item(), 1e-5 * Math.max(1, ref.loss()), "loss at step " + step);
                assertArrayEquals(new long[] {BATCH, OUT}, out.get("yhat").shape());
                assertArrayEquals(ref.yhat(), out.get("yhat").toFloatArray(), 1e-5f, "yhat at step " + step);

                LinearReference.adamStep(w, ref.weightGrad(), mw, vw, step, LR, ADAM.beta1(), ADAM.beta2(),
                        ADAM.epsilon(), 0f);
                LinearReference.adamStep(b, ref.biasGrad(), mb, vb, step, LR, ADAM.beta1(), ADAM.beta2(),
                        ADAM.epsilon(), 0f);
                assertArrayEquals(w, s.parameter(TinyModels.Linear.WEIGHT).toFloatArray(), 1e-6f, "weight at step " + step);
                assertArrayEquals(b, s.parameter(TinyModels.Linear.BIAS).toFloatArray(), 1e-6f, "bias at step " + step);
                assertArrayEquals(offset, s.parameter(TinyModels.Linear.OFFSET).toFloatArray(), 0f, "frozen offset moved");
            }
        }
    }

    @Test
    void trainStepsAccumulateUntilLazyResetGrad() {
        float[] w0 = MODEL.initialTrainable(11).get(0).data();
        float[] b0 = MODEL.initialTrainable(11).get(1).data();
        float[] offset = MODEL.initialFrozen().get(0).data();
        LinearReference.Result r1 = LinearReference.forwardBackward(batch(1).get("x").toFloatArray(),
                batch(1).get("target").toFloatArray(), w0, b0, offset, BATCH, IN, OUT);
        LinearReference.Result r2 = LinearReference.forwardBackward(batch(2).get("x").toFloatArray(),
                batch(2).get("target").toFloatArray(), w0, b0, offset, BATCH, IN, OUT);
        try (TrainingSession accumulated = open(); TrainingSession reset = open()) {
            accumulated.setLearningRate(LR);
            reset.setLearningRate(LR);
            // LazyResetGrad, TrainStep(b1), TrainStep(b2), OptimizerStep: Adam on g(b1) + g(b2).
            accumulated.lazyResetGrad();
            accumulated.trainStep(batch(1));
            accumulated.trainStep(batch(2));
            accumulated.optimizerStep();
            assertAdamStepFrom(accumulated, w0, b0, sum(r1.weightGrad(), r2.weightGrad()),
                    sum(r1.biasGrad(), r2.biasGrad()));
            // LazyResetGrad between the TrainSteps: the second overwrites, Adam on g(b2) only.
            reset.lazyResetGrad();
            reset.trainStep(batch(1));
            reset.lazyResetGrad();
            reset.trainStep(batch(2));
            reset.optimizerStep();
            assertAdamStepFrom(reset, w0, b0, r2.weightGrad(), r2.biasGrad());
        }
    }

    private static void assertAdamStepFrom(TrainingSession s, float[] w0, float[] b0, float[] gw, float[] gb) {
        float[] w = w0.clone();
        float[] b = b0.clone();
        LinearReference.adamStep(w, gw, new float[w.length], new float[w.length], 1, LR, ADAM.beta1(), ADAM.beta2(),
                ADAM.epsilon(), 0f);
        LinearReference.adamStep(b, gb, new float[b.length], new float[b.length], 1, LR, ADAM.beta1(), ADAM.beta2(),
                ADAM.epsilon(), 0f);
        assertArrayEquals(w, s.parameter(TinyModels.Linear.WEIGHT).toFloatArray(), 1e-6f);
        assertArrayEquals(b, s.parameter(TinyModels.Linear.BIAS).toFloatArray(), 1e-6f);
    }

    private static float[] sum(float[] a, float[] b) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] + b[i];
        }
        return r;
    }

    @Test
    void evalStepMatchesJavaForwardAndLeavesParametersAlone() {
        try (TrainingSession s = open()) {
            float[] before = allParameters(s);
            Map<String, Tensor> in = batch(4);
            LinearReference.Result ref = LinearReference.forwardBackward(in.get("x").toFloatArray(),
                    in.get("target").toFloatArray(), MODEL.initialTrainable(11).get(0).data(),
                    MODEL.initialTrainable(11).get(1).data(), MODEL.initialFrozen().get(0).data(), BATCH, IN, OUT);
            Outputs out = s.evalStep(in);
            assertEquals(ref.loss(), out.get("loss").item(), 1e-5 * Math.max(1, ref.loss()));
            assertArrayEquals(ref.yhat(), out.get("yhat").toFloatArray(), 1e-5f);
            assertArrayEquals(before, allParameters(s), 0f);
        }
    }

    @Test
    void checkpointWithOptimizerStateContinuesBitIdentically() throws IOException {
        Path checkpoint = dir.resolve("run/checkpoint");
        float[] inMemory;
        try (TrainingSession a = open()) {
            a.setLearningRate(LR);
            trainSteps(a, 1, 5);
            a.saveCheckpoint(checkpoint, true);
            trainSteps(a, 6, 5);
            inMemory = allParameters(a);
        }
        try (TrainingSession b = TrainingSession.open(checkpoint, MODEL.trainingModel(), MODEL.evalModel(),
                OptimizerModelWriter.adamW(ADAM), SessionConfig.cpu())) {
            assertEquals(0.001f, b.learningRate(),
                    "the learning rate is not persisted: a reopened session starts at ORT's default");
            b.setLearningRate(LR);
            trainSteps(b, 6, 5);
            assertArrayEquals(inMemory, allParameters(b), 0f,
                    "reloaded with optimizer state + same steps must be bit-identical");
        }
    }

    @Test
    void checkpointWithoutOptimizerStateRestartsMoments() throws IOException {
        Path checkpoint = dir.resolve("noopt");
        float[] inMemory;
        try (TrainingSession a = open()) {
            a.setLearningRate(LR);
            trainSteps(a, 1, 5);
            a.saveCheckpoint(checkpoint, false);
            trainSteps(a, 6, 3);
            inMemory = allParameters(a);
        }
        assertTrue(CheckpointReader.read(checkpoint).optimizerGroups().isEmpty());
        try (TrainingSession b = TrainingSession.open(checkpoint, MODEL.trainingModel(), MODEL.evalModel(),
                OptimizerModelWriter.adamW(ADAM), SessionConfig.cpu())) {
            b.setLearningRate(LR);
            trainSteps(b, 6, 3);
            assertFalse(Arrays.equals(inMemory, allParameters(b)));
        }
    }

    @Test
    void readerParsesOrtSavedCheckpoint() throws IOException {
        Path checkpoint = dir.resolve("ort-saved");
        try (TrainingSession s = open()) {
            s.setLearningRate(LR);
            trainSteps(s, 1, 4);
            s.saveCheckpoint(checkpoint, true);
            CheckpointContents c = CheckpointReader.read(checkpoint);
            assertEquals(2, c.version());
            assertEquals(List.of("bias", "weight"), c.trainableParameters().stream().map(NamedTensor::name).toList(),
                    "ORT writes parameters sorted by name");
            assertEquals(List.of("offset"), c.frozenParameters().stream().map(NamedTensor::name).toList());
            for (NamedTensor t : c.trainableParameters()) {
                Tensor live = s.parameter(t.name());
                assertArrayEquals(live.shape(), t.dims());
                assertArrayEquals(live.toFloatArray(), t.data(), 0f);
            }
            assertEquals(1, c.optimizerGroups().size());
            OptimizerGroupState g = c.optimizerGroups().get(0);
            assertEquals("group0", g.groupName());
            assertEquals(4, g.step());
            assertEquals(0.001f, g.initialLearningRate(), "SetLearningRate does not change initial_learning_rate");
            assertEquals(List.of("bias", "weight"),
                    g.parameterStates().stream().map(p -> p.parameterName()).toList());
            for (var state : g.parameterStates()) {
                long[] dims = c.parameter(state.parameterName()).orElseThrow().dims();
                NamedTensor m0 = state.momentum("momentum0").orElseThrow();
                NamedTensor m1 = state.momentum("momentum1").orElseThrow();
                assertArrayEquals(dims, m0.dims());
                assertArrayEquals(dims, m1.dims());
                for (float v : m1.data()) {
                    assertTrue(v >= 0, "second moments are non-negative");
                }
            }
            assertEquals(Map.of("epoch", 3L), c.intProperties());
            assertEquals(Map.of("generator", "tiny-models"), c.stringProperties());
        }
    }

    @Test
    void saveCheckpointIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
        Path target = dir.resolve("ck");
        try (TrainingSession s = open()) {
            s.saveCheckpoint(target, false);
            long first = Files.size(target);
            s.saveCheckpoint(target, true);
            assertTrue(Files.size(target) > first, "overwritten in place with optimizer state");
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(target), files.toList());
            }
            // The target is a non-empty directory: the rename fails, the temporary file is removed.
            Path blocked = dir.resolve("blocked");
            Files.createDirectories(blocked.resolve("inside"));
            assertThrows(IOException.class, () -> s.saveCheckpoint(blocked, true));
            try (Stream<Path> files = Files.list(dir)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
            }
        }
    }

    @Test
    void inputsAreCheckedByNameBeforeOrt() {
        try (TrainingSession s = open()) {
            Map<String, Tensor> onlyX = Map.of("x", batch(1).get("x"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.trainStep(onlyX));
            assertEquals("TrainStep: missing input 'target'; expected all of [x, target] but got [x]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.evalStep(Map.of()));
            assertEquals("EvalStep: missing inputs 'x', 'target'; expected all of [x, target] but got []",
                    e.getMessage());
            Map<String, Tensor> misspelt = new LinkedHashMap<>();
            misspelt.put("x", batch(1).get("x"));
            misspelt.put("targets", batch(1).get("target"));
            e = assertThrows(IllegalArgumentException.class, () -> s.trainStep(misspelt));
            assertEquals("TrainStep: unknown input 'targets'; expected one of [x, target]; missing input 'target';"
                    + " expected all of [x, target] but got [x, targets]", e.getMessage());
            Map<String, Tensor> withNull = new HashMap<>(batch(1));
            withNull.put("target", null);
            e = assertThrows(IllegalArgumentException.class, () -> s.trainStep(withNull));
            assertEquals("TrainStep: input 'target' is null", e.getMessage());
        }
    }

    @Test
    void inputTypesAreCheckedAgainstTheModel() {
        try (TrainingSession s = open()) {
            Map<String, Tensor> longTarget = Map.of("x", batch(1).get("x"), "target", Tensor.zeros(ElementType.INT64,
                    BATCH, OUT));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.trainStep(longTarget));
            assertEquals("TrainStep: input 'target' is int64 but the model declares float32; create it with"
                    + " Tensor.of(float[], shape)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.evalStep(longTarget));
            assertTrue(e.getMessage().startsWith("EvalStep: input 'target' is int64 but the model declares float32"),
                    e.getMessage());
            // Nothing reached ORT: the session goes on.
            s.lazyResetGrad();
            assertEquals(2, s.trainStep(batch(1)).size());
        }
    }

    @Test
    void unknownOutputsAreNamedWithTheKnownOnes() {
        try (TrainingSession s = open()) {
            Outputs out = s.trainStep(batch(1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> out.get("losss"));
            assertEquals("unknown output 'losss'; expected one of [loss, yhat]", e.getMessage());
            assertEquals(List.of("loss", "yhat"), List.copyOf(out.asMap().keySet()));
            assertThrows(UnsupportedOperationException.class, () -> out.asMap().put("z", Tensor.scalar(0f)));
        }
    }

    @Test
    void wrongShapeGivesOrtExceptionWithContextAndReason() {
        try (TrainingSession s = open()) {
            Map<String, Tensor> bad = Map.of("target", Tensor.zeros(3, 2), "x", Tensor.zeros(3, 5));
            OrtException e = assertThrows(OrtException.class, () -> s.trainStep(bad));
            assertEquals(2, e.errorCode());
            assertEquals("INVALID_ARGUMENT", e.errorCodeName());
            assertEquals("TrainStep with inputs [x: float32[3, 5], target: float32[3, 2]]", e.context());
            assertTrue(e.getMessage().startsWith(
                    "TrainStep with inputs [x: float32[3, 5], target: float32[3, 2]]: Got invalid dimensions for input: x"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("module.cc"), "the C++ location is stripped: " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            assertTrue(e.ortMessage().contains("module.cc"), "the full message keeps it");
            // The session is still usable after a rejected step.
            s.lazyResetGrad();
            assertEquals(2, s.trainStep(batch(1)).size());
        }
    }

    @Test
    void updateParameterReplacesValues() {
        try (TrainingSession s = open()) {
            Tensor bias = Tensor.of(new float[] {7f, -7f}, OUT);
            Tensor offset = s.parameter("offset");
            s.updateParameter("bias", bias);
            assertEquals(bias, s.parameter("bias"));
            assertEquals(offset, s.parameter("offset"), "other parameters are left alone");
            // The next forward pass uses the new bias: yhat = x . w + b + offset.
            Map<String, Tensor> in = batch(3);
            LinearReference.Result ref = LinearReference.forwardBackward(in.get("x").toFloatArray(),
                    in.get("target").toFloatArray(), MODEL.initialTrainable(11).get(0).data(), bias.toFloatArray(),
                    offset.toFloatArray(), BATCH, IN, OUT);
            assertArrayEquals(ref.yhat(), s.evalStep(in).get("yhat").toFloatArray(), 1e-5f);

            OrtException e = assertThrows(OrtException.class, () -> s.parameter("nope"));
            assertTrue(e.getMessage().startsWith("GetParameter('nope'): "), e.getMessage());
            assertTrue(e.getMessage().contains("nope not found"), e.getMessage());
            e = assertThrows(OrtException.class, () -> s.updateParameter("bias", Tensor.zeros(OUT + 1)));
            assertTrue(e.getMessage().startsWith("UpdateParameter('bias', float32[3]): "), e.getMessage());
            assertEquals(bias, s.parameter("bias"), "a refused update changes nothing");
        }
    }

    @Test
    void missingEvalOrOptimizerModelGivesClearErrors() {
        try (TrainingSession s = TrainingSession.openFromBytes(MODEL.checkpoint(11), MODEL.trainingModel(), null,
                null, SessionConfig.cpu())) {
            assertEquals(List.of(), s.evalInputNames());
            assertFalse(s.hasEvalModel());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.evalStep(batch(1)));
            assertEquals("evalStep needs an eval model, but this TrainingSession was opened without one",
                    e.getMessage());
            e = assertThrows(IllegalStateException.class, s::optimizerStep);
            assertEquals("optimizerStep needs an optimizer model, but this TrainingSession was opened without one",
                    e.getMessage());
            assertThrows(IllegalStateException.class, () -> s.setLearningRate(0.1f));
            assertThrows(IllegalStateException.class, s::learningRate);
            s.lazyResetGrad();
            assertEquals(2, s.trainStep(batch(1)).size(), "training without an optimizer still runs");
        }
    }

    @Test
    void corruptCheckpointFailsToOpenWithoutLeakingHandles() {
        byte[] ck = MODEL.checkpoint(11);
        ck[5] = 'X';
        OrtException e = assertThrows(OrtException.class, () -> TrainingSession.openFromBytes(ck,
                MODEL.trainingModel(), null, null, SessionConfig.cpu()));
        assertTrue(e.getMessage().startsWith("LoadCheckpointFromBuffer("), e.getMessage());
        assertTrue(e.getMessage().contains("verification failed"), e.getMessage());
    }

    @Test
    void useAfterCloseThrowsAndCloseIsIdempotent() {
        TrainingSession s = open();
        s.close();
        s.close();
        assertTrue(s.isClosed());
        List<Consumer<TrainingSession>> calls = List.of(
                TrainingSession::trainingInputNames, TrainingSession::trainingOutputNames,
                TrainingSession::evalInputNames, TrainingSession::evalOutputNames,
                x -> x.trainStep(batch(1)), x -> x.evalStep(batch(1)), TrainingSession::optimizerStep,
                TrainingSession::lazyResetGrad, x -> x.setLearningRate(0.1f), TrainingSession::learningRate,
                x -> x.parameter("bias"), x -> x.updateParameter("bias", Tensor.zeros(2)),
                TrainingSession::hasEvalModel, TrainingSession::hasOptimizerModel,
                x -> uncheck(() -> x.saveCheckpoint(dir.resolve("c"), true)));
        for (Consumer<TrainingSession> call : calls) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> call.accept(s));
            assertEquals("TrainingSession is closed", e.getMessage());
        }
    }

    @Test
    void cudaSelectionFailsCleanlyOnCpuNatives() {
        assumeTrue(getClass().getClassLoader().getResource("org/bytedeco/onnxruntime/linux-x86_64-gpu/") == null,
                "GPU natives on the class path (profile gpu): CUDA may be available");
        SessionConfig cuda = SessionConfig.cpu().withDevice(Device.parse("cuda:0"));
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class, () -> TrainingSession.openFromBytes(
                MODEL.checkpoint(11), MODEL.trainingModel(), null, null, cuda));
        assertEquals(DeviceUnavailableException.Reason.GPU_NATIVES, e.reason());
        assertTrue(e.getMessage().startsWith("cuda:0 requested but the toolkit was built without GPU natives"),
                e.getMessage());
        assertTrue(e.getMessage().contains("TOOLKIT_GPU=1"), e.getMessage());
        assertTrue(e.getMessage().contains("Maven profile gpu"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertThrows(DeviceUnavailableException.class,
                () -> InferenceSession.open(TinyModels.affineInferenceModel(), cuda));
        // Nothing half-open is left behind: CPU sessions keep working.
        try (TrainingSession s = open()) {
            assertEquals(2, s.trainStep(batch(1)).size());
        }
    }


    private static void trainSteps(TrainingSession s, int firstBatch, int count) {
        for (int k = firstBatch; k < firstBatch + count; k++) {
            s.lazyResetGrad();
            s.trainStep(batch(k));
            s.optimizerStep();
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void uncheck(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
