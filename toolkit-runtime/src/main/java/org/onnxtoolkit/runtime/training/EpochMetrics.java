package org.onnxtoolkit.runtime.training;

/**
 * One row of {@code metrics.csv}. Losses are averages over the images of the epoch (train) or of the test
 * split (test); the ELBO terms are in nats per image.
 *
 * @param epoch          1-based epoch number
 * @param trainLoss      mean training objective (weighted, as optimised)
 * @param trainNegElbo   mean negative ELBO on the training batches
 * @param testLoss       mean objective on the test split
 * @param testNegElbo    mean negative ELBO on the test split, nats per image
 * @param recon          test reconstruction term, nats per image
 * @param kl             test KL term, nats per image
 * @param imagesPerSecond training throughput of the epoch (steps only, no evaluation)
 * @param seconds        wall time of the epoch including evaluation and pictures
 * @param learningRate   learning rate used
 */
public record EpochMetrics(int epoch, double trainLoss, double trainNegElbo, double testLoss, double testNegElbo,
                           double recon, double kl, double imagesPerSecond, double seconds, double learningRate) {
    public static final String CSV_HEADER =
            "epoch,train_loss,train_elbo,test_loss,test_elbo,recon,kl,images_per_s,seconds,lr";

    public String toCsv() {
        return String.format(java.util.Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.1f,%.3f,%s", epoch, trainLoss,
                trainNegElbo, testLoss, testNegElbo, recon, kl, imagesPerSecond, seconds, learningRate);
    }
}
