package org.onnxtoolkit.api.events;

/**
 * The measurements of one finished epoch (a row of a run's {@code metrics.csv}). Losses are means over the
 * images of the epoch (train) or of the test split (test); ELBO terms are in nats per image.
 *
 * @param epoch           1-based epoch number
 * @param trainLoss       mean training objective, weighted as optimised
 * @param trainNegElbo    mean negative ELBO on the training batches, nats per image
 * @param testLoss        mean objective on the test split
 * @param testNegElbo     mean negative ELBO on the test split, nats per image
 * @param recon           reconstruction term of the test negative ELBO, nats per image
 * @param kl              KL term of the test negative ELBO, nats per image
 * @param imagesPerSecond training throughput of the epoch (steps only, no evaluation)
 * @param seconds         wall time of the epoch including evaluation and pictures
 * @param learningRate    learning rate of the epoch's last step
 * @param klWeight        KL weight of the epoch's last step (the test loss uses it too), {@code >= 0}; null in a
 *                        row recorded by an earlier toolkit version, which had no KL schedule
 */
public record EpochMetrics(int epoch, double trainLoss, double trainNegElbo, double testLoss, double testNegElbo,
                           double recon, double kl, double imagesPerSecond, double seconds, double learningRate,
                           Double klWeight) {

    /** The metrics of an epoch from its training means and its evaluation on the test split. */
    public static EpochMetrics of(int epoch, double trainLoss, double trainNegElbo, Evaluation test,
                                  double imagesPerSecond, double seconds, double learningRate, double klWeight) {
        return new EpochMetrics(epoch, trainLoss, trainNegElbo, test.loss(), test.negElbo(), test.recon(), test.kl(),
                imagesPerSecond, seconds, learningRate, klWeight);
    }

    /** This row with {@code klWeight} where it has none (a row of an earlier toolkit version). */
    public EpochMetrics withKlWeightIfAbsent(double klWeight) {
        return this.klWeight != null ? this : new EpochMetrics(epoch, trainLoss, trainNegElbo, testLoss, testNegElbo,
                recon, kl, imagesPerSecond, seconds, learningRate, klWeight);
    }

    /** @return the evaluation on the test split */
    public Evaluation test() {
        return new Evaluation(testLoss, testNegElbo, recon, kl);
    }
}
