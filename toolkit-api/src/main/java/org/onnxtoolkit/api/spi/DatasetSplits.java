package org.onnxtoolkit.api.spi;

import java.util.List;

/**
 * The train and test splits of an opened dataset.
 *
 * @param train       images to train on
 * @param test        held-out images for per-epoch evaluation; same shape as {@code train}
 * @param fingerprint identifies the exact data (for example a hash of the files' sizes and first bytes, or
 *                    of the generator's parameters), recorded in a run's provenance
 * @param notes       one-line remarks the user should see and the run's report should keep, for example
 *                    "skipped 3 undecodable images: a.jpg, b.jpg, c.jpg"; empty when there is nothing to say
 * @param classes     the class names of a labelled dataset, in label order (label {@code i} is
 *                    {@code classes.get(i)}); empty when the images have no labels. When not empty, both
 *                    splits' {@link ImageSplit#label} return a label in {@code [0, classes.size())}
 */
public record DatasetSplits(ImageSplit train, ImageSplit test, String fingerprint, List<String> notes,
                            List<String> classes) {
    public DatasetSplits {
        if (!train.shape().equals(test.shape())) {
            throw new IllegalArgumentException("train images are " + train.shape() + " but test images are "
                    + test.shape());
        }
        notes = List.copyOf(notes);
        classes = List.copyOf(classes);
    }

    /** Unlabelled splits. */
    public DatasetSplits(ImageSplit train, ImageSplit test, String fingerprint, List<String> notes) {
        this(train, test, fingerprint, notes, List.of());
    }

    /** Unlabelled splits with nothing to report. */
    public DatasetSplits(ImageSplit train, ImageSplit test, String fingerprint) {
        this(train, test, fingerprint, List.of(), List.of());
    }

    /** @return whether the images carry class labels */
    public boolean labelled() {
        return !classes.isEmpty();
    }
}
