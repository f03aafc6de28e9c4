package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.compiler.artifacts.OptimizerModelWriter;
import org.onnxtoolkit.compiler.checkpoint.CheckpointWriter;
import org.onnxtoolkit.compiler.checkpoint.NamedTensor;
import org.onnxtoolkit.compiler.testutil.TinyModels;

/**
 * Every OrtValue created or returned in a call is released in that call: native memory (resident set minus
 * the committed Java heap, after a GC) stays flat over 2000 steps.
 *
 * <p>The tensors are large on purpose. glibc keeps freed memory in its arenas, so without any leak resident
 * memory drifts up to a plateau (up to +170 MB observed on this machine) and swings around it. Every value
 * crossing the boundary here is at least 512 KiB, so leaking any single kind of value (an input, an output,
 * a parameter copy) adds at least 1 GB over 2000 steps, far above the 400 MB limit.
 */
class NativeMemoryBoundedTest {

    private static final long LIMIT = 400L << 20;
    private static final int STEPS = 2000;

    @Test
    void trainAndEvalStepsDoNotLeak() {
        int batch = 1 << 16;
        TinyModels.Linear model = new TinyModels.Linear(4, 2, false);
        Random r = new Random(3);
        Map<String, Tensor> in = Map.of("x", Tensor.of(TinyModels.gaussian(r, batch * 4, 1f), batch, 4),
                "target", Tensor.of(TinyModels.gaussian(r, batch * 2, 1f), batch, 2));
        try (TrainingSession s = TrainingSession.openFromBytes(model.checkpoint(5), model.trainingModel(),
                model.evalModel(), OptimizerModelWriter.sgd(), SessionConfig.cpu().withIntraOpThreads(1))) {
            s.setLearningRate(1e-3f);
            long growth = measure("train+eval", STEPS, () -> {
                s.lazyResetGrad();
                assertEquals(2, s.trainStep(in).size());
                s.optimizerStep();
                assertEquals(2, s.evalStep(in).size());
            });
            assertTrue(growth < LIMIT, "native memory grew by " + (growth >> 20) + " MB over " + STEPS + " steps");
        }
    }

    @Test
    void parameterAccessDoesNotLeak() {
        int n = 1 << 17;
        String p = "p";
        TinyModels.DirectGradient model = new TinyModels.DirectGradient(List.of(p), List.of(new long[] {n}));
        Random r = new Random(4);
        float[] init = TinyModels.gaussian(r, n, 1f);
        Tensor g = Tensor.of(TinyModels.gaussian(r, n, 1e-3f), n);
        byte[] checkpoint = new CheckpointWriter().addTrainable(new NamedTensor(p, new long[] {n}, init)).toBytes();
        try (TrainingSession s = TrainingSession.openFromBytes(checkpoint, model.trainingModel(), null,
                OptimizerModelWriter.sgd(), SessionConfig.cpu().withIntraOpThreads(1))) {
            long growth = measure("parameters", STEPS, () -> {
                s.lazyResetGrad();
                s.trainStep(Map.of(TinyModels.DirectGradient.gradientInput(p), g));
                s.optimizerStep();
                Tensor value = s.parameter(p);
                s.updateParameter(p, value);
            });
            assertTrue(growth < LIMIT, "native memory grew by " + (growth >> 20) + " MB over " + STEPS + " steps");
        }
    }

    @Test
    void inferenceRunsDoNotLeak() {
        Random r = new Random(5);
        Tensor x = Tensor.of(TinyModels.gaussian(r, 3 << 16, 1f), 1 << 16, 3);
        try (InferenceSession inf = InferenceSession.open(TinyModels.affineInferenceModel(), SessionConfig.cpu())) {
            long growth = measure("inference", STEPS, () -> assertEquals(2, inf.run(Map.of("x", x)).size()));
            assertTrue(growth < LIMIT, "native memory grew by " + (growth >> 20) + " MB over " + STEPS + " runs");
        }
    }

    private static long measure(String what, int steps, Runnable step) {
        for (int i = 0; i < 100; i++) {
            step.run();
        }
        long before = nativeBytes();
        for (int i = 0; i < steps; i++) {
            step.run();
        }
        long after = nativeBytes();
        System.out.printf("%s: native memory %.1f MB -> %.1f MB after %d steps%n", what, before / 1048576.0,
                after / 1048576.0, steps);
        return after - before;
    }

    /** Resident memory minus the committed Java heap, after a GC. */
    private static long nativeBytes() {
        System.gc();
        return Pointer.physicalBytes() - Runtime.getRuntime().totalMemory();
    }
}
