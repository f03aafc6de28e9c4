package org.onnxtoolkit.engine.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.api.spi.Progress;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.Tensor;

/**
 * The estimator against a model whose likelihood is known in closed form: a one-dimensional latent
 * {@code z ~ N(0, 1)} and a decoder that puts every pixel at {@code z} with unit-variance Gaussian noise, so
 * that {@code p(x) = N(x; 0, I + 11^T)} and the exact posterior is Gaussian. With the exact posterior as the
 * encoder every importance weight equals {@code p(x)}: the ELBO and the estimate are exact for any K. With a
 * wrong encoder the estimate lies below the negative ELBO and approaches the exact value as K grows (it is an
 * upper bound of {@code -log p(x)} in expectation only, so single images are not checked against it).
 */
class LikelihoodEstimatorTest {
    static final ImageShape SHAPE = new ImageShape(1, 2, 2);
    static final int D = SHAPE.size();
    static final byte[][] IMAGES = {{0, 64, (byte) 128, (byte) 255}, {10, 10, 10, 10}, {(byte) 200, (byte) 180, 0, 90},
        {(byte) 255, (byte) 255, (byte) 255, (byte) 255}};

    static final ImageSplit SPLIT = new ImageSplit() {
        @Override
        public ImageShape shape() {
            return SHAPE;
        }

        @Override
        public int size() {
            return IMAGES.length;
        }

        @Override
        public void copyImage(int index, byte[] target, int offset) {
            System.arraycopy(IMAGES[index], 0, target, offset, D);
        }
    };

    /** The decoder: every pixel equals z. */
    static Map<String, Tensor> decode(Map<String, Tensor> in) {
        Tensor z = in.get(ModelGraphs.Z);
        float[] zs = z.toFloatArray();
        float[] out = new float[zs.length * D];
        for (int r = 0; r < zs.length; r++) {
            java.util.Arrays.fill(out, r * D, (r + 1) * D, zs[r]);
        }
        return outputs("y", Tensor.of(out, zs.length, 1, 2, 2));
    }

    /** An encoder with the exact posterior, mean sum(x)/(1+D) and variance 1/(1+D), shifted by {@code shift}. */
    static LikelihoodEstimator.ModelRunner encoder(double shift, double logvarOffset) {
        return in -> {
            float[] x = in.get(ModelGraphs.X).toFloatArray();
            int n = x.length / D;
            float[] mu = new float[n];
            float[] logvar = new float[n];
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int d = 0; d < D; d++) {
                    sum += x[i * D + d];
                }
                mu[i] = (float) (sum / (1 + D) + shift);
                logvar[i] = (float) (-Math.log(1 + D) + logvarOffset);
            }
            return Map.of(ModelGraphs.MU, Tensor.of(mu, n, 1), ModelGraphs.LOGVAR, Tensor.of(logvar, n, 1));
        };
    }

    static Map<String, Tensor> outputs(String name, Tensor t) {
        return Map.of(name, t);
    }

    /** -log N(x; 0, I + 11^T) of image {@code i}. */
    static double exactNegativeLogLikelihood(int i) {
        double sum = 0;
        double squares = 0;
        for (byte b : IMAGES[i]) {
            double x = (b & 0xFF) / 255f;
            sum += x;
            squares += x * x;
        }
        double quadratic = squares - sum * sum / (1 + D);
        return 0.5 * D * Math.log(2 * Math.PI) + 0.5 * Math.log(1 + D) + 0.5 * quadratic;
    }

    static LikelihoodEstimate estimate(LikelihoodEstimator.ModelRunner encoder, int samples) throws IOException {
        return new LikelihoodEstimator(encoder, LikelihoodEstimatorTest::decode, "y", ObservationModel.GAUSSIAN, 1)
                .estimate(SPLIT, IMAGES.length, samples, 3, Progress.NONE.start("", IMAGES.length));
    }

    @Test
    void theExactPosteriorGivesTheExactLikelihoodForAnyK() throws IOException {
        for (int k : new int[] {1, 7}) {
            LikelihoodEstimate e = estimate(encoder(0, 0), k);
            for (int i = 0; i < IMAGES.length; i++) {
                double exact = exactNegativeLogLikelihood(i);
                assertEquals(exact, e.importanceWeighted()[i], 2e-5, "IW, image " + i + ", K=" + k);
                // The reconstruction term is a K-sample average, so the ELBO is exact only in expectation.
                assertEquals(exact, e.negativeElbo()[i], k == 1 ? 3.0 : 1.5, "-ELBO, image " + i + ", K=" + k);
            }
        }
    }

    @Test
    void aWrongPosteriorGivesAnUpperBoundThatTightensWithK() throws IOException {
        LikelihoodEstimator.ModelRunner wrong = encoder(0.6, 1.0);
        LikelihoodEstimate k1 = estimate(wrong, 1);
        LikelihoodEstimate k20 = estimate(wrong, 20);
        LikelihoodEstimate k5000 = estimate(wrong, 5000);
        for (int i = 0; i < IMAGES.length; i++) {
            double exact = exactNegativeLogLikelihood(i);
            assertEquals(exact, k5000.importanceWeighted()[i], 0.02, "K=5000 converges, image " + i);
            assertTrue(k5000.negativeElbo()[i] > k20.importanceWeighted()[i] + 0.1, "the bound is below the -ELBO");
            assertTrue(k20.importanceWeighted()[i] < k5000.negativeElbo()[i], "image " + i);
        }
        double mean1 = LikelihoodEstimate.Statistic.of(k1.importanceWeighted()).mean();
        double mean20 = LikelihoodEstimate.Statistic.of(k20.importanceWeighted()).mean();
        double mean5000 = LikelihoodEstimate.Statistic.of(k5000.importanceWeighted()).mean();
        assertTrue(mean1 > mean20 && mean20 > mean5000, mean1 + " > " + mean20 + " > " + mean5000);
    }

    @Test
    void theNoiseIsTheOneTheEstimateDraws() throws IOException {
        // Image 2's single-sample log weight, recomputed from the published noise.
        float[] eps = LikelihoodEstimator.noise(3, 2, 1, 1);
        LikelihoodEstimate e = estimate(encoder(0.6, 1.0), 1);
        double sum = 0;
        double[] x = new double[D];
        for (int d = 0; d < D; d++) {
            x[d] = (IMAGES[2][d] & 0xFF) / 255f;
            sum += x[d];
        }
        float mu = (float) (sum / (1 + D) + 0.6);
        float logvar = (float) (-Math.log(1 + D) + 1.0);
        float z = mu + (float) Math.exp(0.5 * logvar) * eps[0];
        double logPx = -0.5 * D * Math.log(2 * Math.PI);
        for (int d = 0; d < D; d++) {
            logPx -= 0.5 * (z - x[d]) * (z - x[d]);
        }
        double logW = logPx - 0.5 * z * z + 0.5 * (eps[0] * (double) eps[0] + logvar);
        assertEquals(-logW, e.importanceWeighted()[2], 1e-6);
    }

    @Test
    void likelihoodsAreTheObjectivesTerms() {
        float[] logits = {-100f, -3f, 0f, 2.5f, 100f};
        float[] x = {0f, 0.25f, 0.5f, 1f, 1f};
        double expected = 0;
        for (int i = 0; i < logits.length; i++) {
            // BCE from logits, as bce-kl's softplus(l) - x l, written with log1p for the reference.
            double l = logits[i];
            double softplus = l > 0 ? l + Math.log1p(Math.exp(-l)) : Math.log1p(Math.exp(l));
            expected -= softplus - x[i] * l;
        }
        assertEquals(expected, ObservationModel.BERNOULLI.logLikelihood(logits, 0, x, 0, logits.length), 1e-9);
        assertTrue(Double.isFinite(ObservationModel.BERNOULLI.logLikelihood(new float[] {1e30f}, 0, new float[] {0.5f},
                0, 1)), "no overflow");
        float[] y = {0.5f, -1f};
        float[] target = {0.25f, 0f};
        double gaussian = -0.5 * (0.0625 + 1) - Math.log(2 * Math.PI);
        assertEquals(gaussian, ObservationModel.GAUSSIAN.logLikelihood(y, 0, target, 0, 2), 1e-9);
        // tanh range: the target is 2x - 1.
        double tanh = -0.5 * (0.25 * 0.25 + 0) - Math.log(2 * Math.PI);
        assertEquals(tanh, ObservationModel.GAUSSIAN_TANH_RANGE.logLikelihood(y, 0, new float[] {0.625f, 0f}, 0, 2), 1e-9);
    }

    @Test
    void refusesWhatItCannotEstimate() {
        LikelihoodEstimator e = new LikelihoodEstimator(encoder(0, 0), LikelihoodEstimatorTest::decode, "y",
                ObservationModel.GAUSSIAN, 1);
        assertThrows(IllegalArgumentException.class, () -> e.estimate(SPLIT, 0, 1, 1, Progress.NONE.start("", 1)));
        assertThrows(IllegalArgumentException.class, () -> e.estimate(SPLIT, 1, 0, 1, Progress.NONE.start("", 1)));
        LikelihoodEstimator wrongShape = new LikelihoodEstimator(encoder(0, 0),
                in -> outputs("y", Tensor.of(new float[3], 1, 3)), "y", ObservationModel.GAUSSIAN, 1);
        IOException io = assertThrows(IOException.class,
                () -> wrongShape.estimate(SPLIT, 1, 1, 1, Progress.NONE.start("", 1)));
        assertTrue(io.getMessage().contains("the model gave y [1, 3]"), io.getMessage());
    }
}
