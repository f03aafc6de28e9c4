package org.onnxtoolkit.engine.run;

import java.util.Objects;
import org.onnxtoolkit.engine.evaluation.LikelihoodEstimate;

/**
 * {@code evaluation.json}: what {@code toolkit evaluate} measured on a run's models. Values are nats per image,
 * each a mean over the split's images with its standard error over images.
 *
 * @param models             {@code final} (the run's decoder.onnx and encoder.onnx) or {@code best} (those of
 *                           {@code best/})
 * @param split              {@code test} or {@code train}
 * @param images             the images evaluated (the run's {@code --max-test}/{@code --max-train} limit applies)
 * @param importanceSamples  K, the latent samples per image
 * @param seed               the seed of the samples' noise
 * @param objective          the run's objective, whose likelihood was used
 * @param negativeElbo       the negative ELBO (the K samples' mean reconstruction term plus the analytic KL)
 * @param negativeLogLikelihood the importance-weighted estimate of {@code -log p(x)} (an upper bound that tightens
 *                           as K grows)
 * @param reconstruction     {@code -log p(x|z)}, averaged over the K samples
 * @param kl                 the analytic KL term
 * @param seconds            how long the evaluation took
 */
public record EvaluationRecord(String models, String split, int images, int importanceSamples, long seed,
                               String objective, Value negativeElbo, Value negativeLogLikelihood, Value reconstruction,
                               Value kl, double seconds) {
    public EvaluationRecord {
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(negativeElbo, "negativeElbo");
        Objects.requireNonNull(negativeLogLikelihood, "negativeLogLikelihood");
        Objects.requireNonNull(reconstruction, "reconstruction");
        Objects.requireNonNull(kl, "kl");
        if (images < 1 || importanceSamples < 1) {
            throw new IllegalArgumentException("images and importanceSamples must be >= 1");
        }
    }

    /**
     * A mean over images.
     *
     * @param mean          nats per image
     * @param standardError the standard error of the mean over images
     */
    public record Value(double mean, double standardError) {
        static Value of(LikelihoodEstimate.Statistic s) {
            return new Value(s.mean(), s.standardError());
        }
    }

    /** The record of an estimate. */
    public static EvaluationRecord of(String models, String split, long seed, String objective,
                                      LikelihoodEstimate estimate, double seconds) {
        return new EvaluationRecord(models, split, estimate.images(), estimate.samples(), seed, objective,
                Value.of(LikelihoodEstimate.Statistic.of(estimate.negativeElbo())),
                Value.of(LikelihoodEstimate.Statistic.of(estimate.importanceWeighted())),
                Value.of(LikelihoodEstimate.Statistic.of(estimate.reconstruction())),
                Value.of(LikelihoodEstimate.Statistic.of(estimate.kl())), seconds);
    }
}
