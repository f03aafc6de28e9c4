package org.onnxtoolkit.compiler.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.compiler.checkpoint.CheckpointWriter;
import org.onnxtoolkit.compiler.checkpoint.NamedTensor;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.ort.TrainingSession;
import org.onnxtoolkit.compiler.testutil.TinyModels;

/**
 * Settles which AdamWOptimizer attributes reproduce {@code torch.optim.Adam} / {@code AdamW}: runs ORT's
 * optimizer on gradients chosen directly (large, tiny ~1e-6 where epsilon matters, sign flips, zeros) and
 * compares every step with a float32 re-implementation of PyTorch's single-tensor Adam.
 */
class AdamWPytorchEquivalenceTest {

    private static final List<String> NAMES = List.of("w_tiny", "w_mixed");
    private static final List<long[]> SHAPES = List.of(new long[] {6}, new long[] {2, 3});
    private static final int STEPS = 20;
    private static final float LR = 0.01f;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    @Test
    void adamModeZeroMatchesPytorchAdamAndModeOneDoesNot() {
        double pytorchDiff = maxDiffAgainstPytorch(AdamWSettings.pytorchAdam(), 0.0);
        AdamWSettings hf = new AdamWSettings(0.9f, 0.999f, 1e-8f, 0f, true, AdamWSettings.AdamMode.HUGGING_FACE);
        double hfDiff = maxDiffAgainstPytorch(hf, 0.0);
        System.out.printf("AdamW vs torch.optim.Adam over %d steps: adam_mode=0 max|diff|=%.3g, adam_mode=1 max|diff|=%.3g%n",
                STEPS, pytorchDiff, hfDiff);
        assertTrue(pytorchDiff <= 2e-7, "adam_mode=0 should match PyTorch Adam to float32 rounding, max diff " + pytorchDiff);
        assertTrue(hfDiff > 1e-4, "adam_mode=1 should differ visibly for tiny gradients, max diff " + hfDiff);
    }

    @Test
    void adamModeZeroWithWeightDecayMatchesPytorchAdamW() {
        double diff = maxDiffAgainstPytorch(AdamWSettings.pytorchAdamW(0.9f, 0.999f, 1e-8f, 0.1f), 0.1);
        System.out.printf("AdamW(wd=0.1, adam_mode=0) vs torch.optim.AdamW: max|diff|=%.3g%n", diff);
        // A few float32 ulps at |w| ~ 3: ORT computes w - w*lr*wd, PyTorch w * (1 - lr*wd).
        assertTrue(diff <= 1e-6, "max diff " + diff);
    }

    @Test
    void sgdWithLearningRateOneSubtractsTheGradient() {
        TinyModels.DirectGradient model = new TinyModels.DirectGradient(NAMES, SHAPES);
        List<NamedTensor> init = initialParameters();
        try (TrainingSession s = TrainingSession.openFromBytes(new CheckpointWriter().addTrainable(init).toBytes(),
                model.trainingModel(), null, OptimizerModelWriter.sgd(), SessionConfig.cpu())) {
            s.setLearningRate(1f);
            List<Tensor> grads = gradients(1);
            s.lazyResetGrad();
            s.trainStep(feeds(grads));
            s.optimizerStep();
            for (int i = 0; i < NAMES.size(); i++) {
                float[] expected = init.get(i).data();
                float[] g = grads.get(i).toFloatArray();
                for (int k = 0; k < expected.length; k++) {
                    expected[k] -= g[k];
                }
                assertArrayEquals(expected, s.parameter(NAMES.get(i)).toFloatArray(), 0f, NAMES.get(i));
            }
        }
    }

    /** Runs ORT and the PyTorch reference side by side; returns the max |param difference| over all steps. */
    private static double maxDiffAgainstPytorch(AdamWSettings settings, double weightDecay) {
        TinyModels.DirectGradient model = new TinyModels.DirectGradient(NAMES, SHAPES);
        List<NamedTensor> init = initialParameters();
        List<float[]> p = new ArrayList<>();
        List<float[]> m = new ArrayList<>();
        List<float[]> v = new ArrayList<>();
        for (NamedTensor t : init) {
            p.add(t.data());
            m.add(new float[t.size()]);
            v.add(new float[t.size()]);
        }
        double maxDiff = 0;
        try (TrainingSession s = TrainingSession.openFromBytes(new CheckpointWriter().addTrainable(init).toBytes(),
                model.trainingModel(), null, OptimizerModelWriter.adamW(settings), SessionConfig.cpu())) {
            s.setLearningRate(LR);
            for (int step = 1; step <= STEPS; step++) {
                List<Tensor> grads = gradients(step);
                s.lazyResetGrad();
                s.trainStep(feeds(grads));
                s.optimizerStep();
                for (int i = 0; i < NAMES.size(); i++) {
                    pytorchAdamStep(p.get(i), grads.get(i).toFloatArray(), m.get(i), v.get(i), step, weightDecay);
                    float[] ort = s.parameter(NAMES.get(i)).toFloatArray();
                    for (int k = 0; k < ort.length; k++) {
                        maxDiff = Math.max(maxDiff, Math.abs(ort[k] - p.get(i)[k]));
                    }
                }
            }
        }
        return maxDiff;
    }

    /**
     * {@code torch.optim.Adam/AdamW} single-tensor update in float32, as PyTorch computes it: {@code m.lerp_(g,
     * 1-b1)}, {@code v.mul_(b2).addcmul_(g, g, value=1-b2)}, bias corrections in double (Python floats),
     * {@code denom = v.sqrt() / sqrt(bc2) + eps}, {@code p.addcdiv_(m, denom, value=-lr/bc1)}; AdamW first
     * multiplies {@code p} by {@code 1 - lr*wd}.
     */
    static void pytorchAdamStep(float[] p, float[] g, float[] m, float[] v, int step, double weightDecay) {
        double bc1 = 1 - Math.pow(BETA1, step);
        double bc2 = 1 - Math.pow(BETA2, step);
        float stepSize = (float) (LR / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = (float) (1 - LR * weightDecay);
        for (int k = 0; k < p.length; k++) {
            if (weightDecay != 0) {
                p[k] *= decay;
            }
            m[k] = m[k] + (float) (1 - BETA1) * (g[k] - m[k]);
            v[k] = v[k] * (float) BETA2 + (float) (1 - BETA2) * (g[k] * g[k]);
            float denom = (float) Math.sqrt(v[k]) / bc2Sqrt + (float) EPS;
            p[k] = p[k] + (-stepSize) * (m[k] / denom);
        }
    }

    private static List<NamedTensor> initialParameters() {
        Random r = new Random(7);
        List<NamedTensor> init = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            int n = (int) (SHAPES.get(i).length == 1 ? SHAPES.get(i)[0] : SHAPES.get(i)[0] * SHAPES.get(i)[1]);
            init.add(new NamedTensor(NAMES.get(i), SHAPES.get(i), TinyModels.gaussian(r, n, 1f)));
        }
        return init;
    }

    /** The direct-gradient model's inputs: gradient {@code i} is fed as {@code g_<name i>}. */
    private static Map<String, Tensor> feeds(List<Tensor> grads) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.size(); i++) {
            in.put(TinyModels.DirectGradient.gradientInput(NAMES.get(i)), grads.get(i));
        }
        return in;
    }

    /** Step-dependent gradients: w_tiny has |g| ~ 1e-7..1e-5 (epsilon matters); w_mixed mixes 1e-6 and 1..10. */
    private static List<Tensor> gradients(int step) {
        float[] tiny = new float[6];
        for (int k = 0; k < 6; k++) {
            tiny[k] = (float) (Math.sin(0.7 * step + k) * Math.pow(10, -7 + (k % 3)));
        }
        if (step % 5 == 0) {
            tiny[0] = 0f;
        }
        float[] mixed = new float[6];
        for (int k = 0; k < 6; k++) {
            double scale = k < 3 ? 1e-6 : Math.pow(10, k - 3);
            mixed[k] = (float) (Math.cos(1.3 * step + 2 * k) * scale);
        }
        return List.of(Tensor.of(tiny, 6), Tensor.of(mixed, 2, 3));
    }
}
