package org.onnxtoolkit.api.spi;

/**
 * The train and test splits of an opened dataset.
 *
 * @param train       images to train on
 * @param test        held-out images for per-epoch evaluation; same shape as {@code train}
 * @param fingerprint identifies the exact data (for example a hash of the files' sizes and first bytes, or
 *                    of the generator's parameters), recorded in a run's provenance
 */
public record DatasetSplits(ImageSplit train, ImageSplit test, String fingerprint) {
    public DatasetSplits {
        if (!train.shape().equals(test.shape())) {
            throw new IllegalArgumentException("train images are " + train.shape() + " but test images are "
                    + test.shape());
        }
    }
}
