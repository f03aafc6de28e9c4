package org.onnxtoolkit.engine.evaluation;

/**
 * The decoder's distribution of an image given its latent vector, {@code p(x|z)}, as the built-in objectives
 * define it, so that {@code -log p(x|z)} is exactly the objective's reconstruction term in nats.
 *
 * <p>Each model reads one float output of the decoder per pixel ({@link #decoderValue()}): logits for the
 * Bernoulli model, the decoder's output (after its final activation, before it is mapped to [0, 1]) for the
 * Gaussian ones. Stateless and thread-safe.
 */
public enum ObservationModel {
    /**
     * {@code bce-kl}: independent Bernoulli pixels with probabilities {@code sigmoid(l)} of the logits {@code l},
     * evaluated at the grey level {@code x} in [0, 1] (the continuous BCE the objective minimises):
     * {@code log p(x|z) = sum_pixels (x l - softplus(l))}.
     */
    BERNOULLI(DecoderValue.LOGITS),
    /**
     * {@code mse-kl} with a sigmoid, ReLU or no final activation: a Gaussian with unit variance around the output
     * {@code y}, evaluated at {@code x}: {@code log p(x|z) = -1/2 sum_pixels (y - x)^2 - D/2 log(2 pi)}.
     */
    GAUSSIAN(DecoderValue.OUTPUT),
    /**
     * {@code mse-kl} with a tanh output: as {@link #GAUSSIAN}, with the image in the tanh range, {@code 2x - 1},
     * as the objective's target.
     */
    GAUSSIAN_TANH_RANGE(DecoderValue.OUTPUT);

    /** Which decoder value a model reads. */
    public enum DecoderValue {
        /** The values before a sigmoid output, {@code [N, C, H, W]}. */
        LOGITS,
        /** The values after the final activation, in its range (not mapped to [0, 1]), {@code [N, C, H, W]}. */
        OUTPUT
    }

    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private final DecoderValue decoderValue;

    ObservationModel(DecoderValue decoderValue) {
        this.decoderValue = decoderValue;
    }

    /** @return the decoder value this model reads */
    public DecoderValue decoderValue() {
        return decoderValue;
    }

    /**
     * {@code log p(x|z)} in nats for one image.
     *
     * @param decoded     the decoder values ({@link #decoderValue()}) of one latent vector, from {@code decodedAt}
     * @param x           the image's pixels in [0, 1], {@code [C, H, W]}, from {@code xAt}
     * @param pixels      {@code C * H * W}
     */
    public double logLikelihood(float[] decoded, int decodedAt, float[] x, int xAt, int pixels) {
        double sum = 0;
        switch (this) {
            case BERNOULLI -> {
                for (int i = 0; i < pixels; i++) {
                    double l = decoded[decodedAt + i];
                    sum += x[xAt + i] * l - softplus(l);
                }
                return sum;
            }
            case GAUSSIAN, GAUSSIAN_TANH_RANGE -> {
                boolean tanh = this == GAUSSIAN_TANH_RANGE;
                for (int i = 0; i < pixels; i++) {
                    double target = tanh ? 2.0 * x[xAt + i] - 1.0 : x[xAt + i];
                    double d = decoded[decodedAt + i] - target;
                    sum += d * d;
                }
                return -0.5 * sum - pixels * HALF_LOG_TWO_PI;
            }
            default -> throw new AssertionError(this);
        }
    }

    /** {@code log(1 + e^l)} without overflow; {@code Math.log} rather than {@code log1p}, which is far slower. */
    static double softplus(double l) {
        return Math.max(l, 0) + Math.log(1 + Math.exp(-Math.abs(l)));
    }
}
