package org.onnxtoolkit.engine.evaluation;

/**
 * What {@link LikelihoodEstimator} measured, per image of the split, in nats. The arrays are owned by this
 * record once given; callers must not change them.
 *
 * @param samples            importance samples per image, {@code K >= 1}
 * @param negativeElbo       per image: the mean over the K samples of {@code -log p(x|z)} plus the analytic KL,
 *                           an unbiased estimate of the negative ELBO (what {@code metrics.csv} reports, with one
 *                           sample there)
 * @param importanceWeighted per image: {@code -log (1/K sum_k p(x|z_k) p(z_k) / q(z_k|x))}, the importance-weighted
 *                           bound on {@code -log p(x)} (Burda et al. 2016); it tightens towards {@code -log p(x)}
 *                           as K grows
 * @param reconstruction     per image: the mean over the K samples of {@code -log p(x|z)}
 * @param kl                 per image: the analytic KL divergence of {@code q(z|x)} from {@code N(0, I)}
 */
public record LikelihoodEstimate(int samples, double[] negativeElbo, double[] importanceWeighted, double[] reconstruction,
                                 double[] kl) {
    public LikelihoodEstimate {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        int n = negativeElbo.length;
        if (n < 1 || importanceWeighted.length != n || reconstruction.length != n || kl.length != n) {
            throw new IllegalArgumentException("one value per image in every array, and at least one image");
        }
    }

    /** @return the number of images */
    public int images() {
        return negativeElbo.length;
    }

    /**
     * A mean over images and its standard error.
     *
     * @param mean          the mean, nats per image
     * @param standardError the sample standard deviation over images divided by {@code sqrt(n)}; 0 for one image
     */
    public record Statistic(double mean, double standardError) {
        /** The mean and standard error of {@code values} (at least one). */
        public static Statistic of(double[] values) {
            double mean = 0;
            for (double v : values) {
                mean += v;
            }
            mean /= values.length;
            if (values.length < 2) {
                return new Statistic(mean, 0);
            }
            double squares = 0;
            for (double v : values) {
                squares += (v - mean) * (v - mean);
            }
            return new Statistic(mean, Math.sqrt(squares / (values.length - 1) / values.length));
        }
    }
}
