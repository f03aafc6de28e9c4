package org.onnxtoolkit.engine.evaluation;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.api.spi.Progress;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.training.Seeds;

/**
 * The negative ELBO and the importance-weighted estimate of {@code -log p(x)} (Burda, Grosse and Salakhutdinov
 * 2016) of a trained VAE on the images of a split, from its exported encoder and decoder.
 *
 * <p>For each image {@code x}: the encoder gives {@code q(z|x) = N(mu, exp(logvar))}; K latent vectors
 * {@code z_k = mu + exp(logvar / 2) eps_k} are decoded, and with {@code log w_k = log p(x|z_k) + log p(z_k) -
 * log q(z_k|x)} ({@code p(z) = N(0, I)}) the estimate is {@code -(logsumexp_k log w_k - log K)}. The noise
 * {@code eps} of image {@code i} is drawn in order from {@link Seeds.Purpose#IMPORTANCE_NOISE} at coordinate
 * {@code i} ({@link #noise}), so results depend on the seed and K only, not on batching, and the first K samples
 * of a larger K are the same.
 *
 * <p>Memory is bounded whatever the split's size: images are read a few at a time, decoder calls hold at most
 * {@link #MAX_DECODED_VALUES} values, and only four doubles per image are kept. Sums are in double precision.
 * Not thread-safe; the per-sample likelihoods of one decoder call are computed on the common fork-join pool.
 */
public final class LikelihoodEstimator {
    /** The most decoder values (rows times pixels) one decoder call produces: 32 MB of floats. */
    public static final int MAX_DECODED_VALUES = 8 << 20;
    /** The most images encoded at once. */
    static final int MAX_IMAGES_PER_BATCH = 256;

    /**
     * Runs an inference model on named inputs and returns its outputs by name (as {@code Outputs.asMap()}); the
     * caller owns the session and says what failed.
     */
    @FunctionalInterface
    public interface ModelRunner {
        Map<String, Tensor> run(Map<String, Tensor> inputs) throws IOException;
    }

    private final ModelRunner encoder;
    private final ModelRunner decoder;
    private final String decoderOutput;
    private final ObservationModel observation;
    private final int latent;
    private final boolean conditional;

    /**
     * @param encoder       runs {@code encoder.onnx}: input {@value ModelGraphs#X} {@code [N, C, H, W]} in [0, 1],
     *                      outputs {@value ModelGraphs#MU} and {@value ModelGraphs#LOGVAR} {@code [N, latent]}
     * @param decoder       runs a decoder: input {@value ModelGraphs#Z} {@code [N, latent]}, output
     *                      {@code decoderOutput} {@code [N, C, H, W]}, the value {@code observation} reads
     * @param decoderOutput the name of that output
     * @param observation   {@code p(x|z)}
     * @param latent        the latent size
     */
    public LikelihoodEstimator(ModelRunner encoder, ModelRunner decoder, String decoderOutput,
                               ObservationModel observation, int latent) {
        this(encoder, decoder, decoderOutput, observation, latent, false);
    }

    /**
     * @param conditional whether the models are class-conditional: then both also take {@value ModelGraphs#LABEL}
     *                    {@code [N]} int64, fed with each image's label ({@link ImageSplit#label}), so the estimates
     *                    are of {@code -log p(x | class)}
     */
    public LikelihoodEstimator(ModelRunner encoder, ModelRunner decoder, String decoderOutput,
                               ObservationModel observation, int latent, boolean conditional) {
        if (latent < 1) {
            throw new IllegalArgumentException("latent size must be >= 1, got " + latent);
        }
        this.encoder = encoder;
        this.decoder = decoder;
        this.decoderOutput = decoderOutput;
        this.observation = observation;
        this.latent = latent;
        this.conditional = conditional;
    }

    /**
     * The noise of image {@code image}'s first {@code samples} latent vectors, {@code [samples, latent]}: what
     * {@link #estimate} draws, for comparisons with other implementations.
     */
    public static float[] noise(long seed, int image, int samples, int latent) {
        float[] eps = new float[samples * latent];
        Seeds.gaussians(eps, Seeds.stream(seed, Seeds.Purpose.IMPORTANCE_NOISE, image));
        return eps;
    }

    /**
     * Estimates over the first {@code count} images of {@code split}.
     *
     * @param samples importance samples per image, {@code >= 1}
     * @param seed    the seed of the noise
     * @param task    advanced by one per image done; not closed here
     * @throws IOException if a model fails to run or gives outputs of the wrong shape
     */
    public LikelihoodEstimate estimate(ImageSplit split, int count, int samples, long seed, Progress.Task task)
            throws IOException {
        if (count < 1 || count > split.size()) {
            throw new IllegalArgumentException("count must be in [1, " + split.size() + "], got " + count);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        int pixels = split.shape().size();
        int maxRows = Math.max(1, MAX_DECODED_VALUES / Math.max(pixels, latent));
        int imagesPerBatch = Math.max(1, Math.min(MAX_IMAGES_PER_BATCH, Math.min(count, maxRows / samples)));
        double[] negElbo = new double[count];
        double[] iw = new double[count];
        double[] recon = new double[count];
        double[] kl = new double[count];
        byte[] raw = new byte[imagesPerBatch * pixels];
        for (int first = 0; first < count; first += imagesPerBatch) {
            int b = Math.min(imagesPerBatch, count - first);
            float[] x = new float[b * pixels];
            for (int i = 0; i < b; i++) {
                split.copyImage(first + i, raw, i * pixels);
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (raw[i] & 0xFF) / 255f;
            }
            long[] imageShape = {b, split.shape().channels(), split.shape().height(), split.shape().width()};
            long[] labels = new long[b];
            for (int i = 0; i < b; i++) {
                labels[i] = conditional ? split.label(first + i) : -1;
            }
            Map<String, Tensor> encIn = new java.util.HashMap<>();
            encIn.put(ModelGraphs.X, Tensor.of(x, imageShape));
            if (conditional) {
                encIn.put(ModelGraphs.LABEL, Tensor.of(labels, b));
            }
            Map<String, Tensor> enc = encoder.run(encIn);
            float[] mu = checked(enc, ModelGraphs.MU, b, latent);
            float[] logvar = checked(enc, ModelGraphs.LOGVAR, b, latent);
            Batch batch = new Batch(b, samples);
            SplittableRandom[] noise = new SplittableRandom[b];
            for (int i = 0; i < b; i++) {
                noise[i] = Seeds.stream(seed, Seeds.Purpose.IMPORTANCE_NOISE, first + i);
                kl[first + i] = analyticKl(mu, logvar, i * latent, latent);
            }
            int chunk = Math.max(1, Math.min(samples, maxRows / b));
            for (int done = 0; done < samples; done += chunk) {
                int s = Math.min(chunk, samples - done);
                int rows = b * s;
                float[] z = new float[rows * latent];
                double[] logPriorOverPosterior = new double[rows];
                for (int i = 0; i < b; i++) {
                    for (int k = 0; k < s; k++) {
                        int row = i * s + k;
                        double ratio = 0;
                        for (int j = 0; j < latent; j++) {
                            double eps = (float) noise[i].nextGaussian();
                            float m = mu[i * latent + j];
                            float lv = logvar[i * latent + j];
                            float zj = m + (float) Math.exp(0.5 * lv) * (float) eps;
                            z[row * latent + j] = zj;
                            // log N(z; 0, I) - log N(z; mu, exp(logvar)): the 2 pi terms cancel, and
                            // (z - mu)^2 / exp(logvar) = eps^2.
                            ratio += -0.5 * zj * zj + 0.5 * (eps * eps + lv);
                        }
                        logPriorOverPosterior[row] = ratio;
                    }
                }
                Map<String, Tensor> decIn = new java.util.HashMap<>();
                decIn.put(ModelGraphs.Z, Tensor.of(z, rows, latent));
                if (conditional) {
                    long[] rowLabels = new long[rows];
                    for (int row = 0; row < rows; row++) {
                        rowLabels[row] = labels[row / s];
                    }
                    decIn.put(ModelGraphs.LABEL, Tensor.of(rowLabels, rows));
                }
                Map<String, Tensor> dec = decoder.run(decIn);
                float[] values = checked(dec, decoderOutput, rows, pixels);
                double[] logLikelihood = new double[rows];
                int samplesPerImage = s;
                IntStream.range(0, rows).parallel().forEach(row -> logLikelihood[row] = observation.logLikelihood(
                        values, row * pixels, x, row / samplesPerImage * pixels, pixels));
                for (int row = 0; row < rows; row++) {
                    batch.add(row / s, logLikelihood[row], logLikelihood[row] + logPriorOverPosterior[row]);
                }
            }
            for (int i = 0; i < b; i++) {
                recon[first + i] = -batch.logLikelihoodSum[i] / samples;
                negElbo[first + i] = recon[first + i] + kl[first + i];
                iw[first + i] = -(batch.logMeanWeight(i));
            }
            task.advance(b);
        }
        return new LikelihoodEstimate(samples, negElbo, iw, recon, kl);
    }

    /** KL(N(mu, exp(logvar)) || N(0, I)) = -1/2 sum (1 + logvar - mu^2 - exp(logvar)), as the objectives. */
    static double analyticKl(float[] mu, float[] logvar, int at, int latent) {
        double sum = 0;
        for (int j = 0; j < latent; j++) {
            double m = mu[at + j];
            double lv = logvar[at + j];
            sum += 1 + lv - m * m - Math.exp(lv);
        }
        return -0.5 * sum;
    }

    private static float[] checked(Map<String, Tensor> outputs, String name, int rows, int columns) throws IOException {
        Tensor t = outputs.get(name);
        if (t == null) {
            throw new IOException("the model has no output " + name + " (its outputs: " + outputs.keySet() + ")");
        }
        if (t.size() != (long) rows * columns || t.dim(0) != rows) {
            throw new IOException("the model gave " + name + " " + Arrays.toString(t.shape()) + " for " + rows
                    + " inputs, expected " + rows + " rows of " + columns + " values");
        }
        return t.toFloatArray();
    }

    /** Running sums of one batch of images: a streaming log-sum-exp of the log weights per image. */
    private static final class Batch {
        final double[] maxLogWeight;
        final double[] scaledWeightSum;
        final double[] logLikelihoodSum;
        final int samples;

        Batch(int images, int samples) {
            maxLogWeight = new double[images];
            Arrays.fill(maxLogWeight, Double.NEGATIVE_INFINITY);
            scaledWeightSum = new double[images];
            logLikelihoodSum = new double[images];
            this.samples = samples;
        }

        void add(int image, double logLikelihood, double logWeight) {
            logLikelihoodSum[image] += logLikelihood;
            if (logWeight > maxLogWeight[image]) {
                scaledWeightSum[image] = scaledWeightSum[image] * Math.exp(maxLogWeight[image] - logWeight) + 1;
                maxLogWeight[image] = logWeight;
            } else {
                scaledWeightSum[image] += Math.exp(logWeight - maxLogWeight[image]);
            }
        }

        /** {@code log (1/K sum_k w_k)} of image {@code i}. */
        double logMeanWeight(int image) {
            return maxLogWeight[image] + Math.log(scaledWeightSum[image]) - Math.log(samples);
        }
    }
}
