package org.onnxtoolkit.engine.run;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.onnxtoolkit.api.spi.DatasetSplits;

/**
 * A run's {@code run.json}: everything needed to rebuild the run and to tell what it was trained on. Built
 * (and so read) only with consistent values.
 *
 * @param config               the run's settings
 * @param provenance           toolkit version, plugins, fingerprints; has {@value #DATASET_FINGERPRINT}
 * @param modelConfiguration   the model's configuration as the architecture reports it
 * @param artifactsFingerprint the training artifacts' fingerprint
 * @param dataset              what the data looked like when the run started (or at its last allowed data
 *                             change); null in a {@code run.json} of an earlier toolkit version
 * @param dataChanges          data changes accepted with {@code --allow-data-change}, oldest first; empty
 *                             when the run always saw the same data
 * @param best                 the epoch with the best (lowest) test negative ELBO so far, whose models are in
 *                             {@code best/}; null before the first epoch (and in a {@code run.json} of an earlier
 *                             toolkit version)
 */
public record RunRecord(RunConfig config, Map<String, String> provenance, Map<String, String> modelConfiguration,
                        String artifactsFingerprint, DatasetSummary dataset, List<DataChange> dataChanges,
                        BestEpoch best) {
    /** The provenance key of the dataset's fingerprint ({@link DatasetSplits#fingerprint()}). */
    public static final String DATASET_FINGERPRINT = "dataset_fingerprint";

    public RunRecord {
        if (config == null) {
            throw new IllegalArgumentException("it has no config");
        }
        if (provenance == null || provenance.get(DATASET_FINGERPRINT) == null) {
            throw new IllegalArgumentException("its provenance has no " + DATASET_FINGERPRINT);
        }
        provenance = Collections.unmodifiableMap(new TreeMap<>(provenance));
        modelConfiguration = Collections.unmodifiableMap(new TreeMap<>(
                modelConfiguration == null ? Map.of() : modelConfiguration));
        dataChanges = dataChanges == null ? List.of() : List.copyOf(dataChanges);
    }

    /** This record after an allowed data change: the new fingerprint and summary, the change appended. */
    public RunRecord withDataChange(DataChange change, DatasetSummary now) {
        Map<String, String> p = new TreeMap<>(provenance);
        p.put(DATASET_FINGERPRINT, change.fingerprint());
        List<DataChange> changes = new ArrayList<>(dataChanges);
        changes.add(change);
        return new RunRecord(config, p, modelConfiguration, artifactsFingerprint, now, changes, best);
    }

    /** This record naming {@code best} as the run's best epoch. */
    public RunRecord withBest(BestEpoch best) {
        return new RunRecord(config, provenance, modelConfiguration, artifactsFingerprint, dataset, dataChanges, best);
    }

    /**
     * The epoch whose models {@code best/decoder.onnx} and {@code best/encoder.onnx} hold.
     *
     * @param epoch       1-based epoch number
     * @param testNegElbo its test negative ELBO, nats per image (finite)
     */
    public record BestEpoch(int epoch, double testNegElbo) {
        public BestEpoch {
            if (epoch < 1 || !Double.isFinite(testNegElbo)) {
                throw new IllegalArgumentException("its best epoch is " + epoch + " with a test negative ELBO of "
                        + testNegElbo + "; it needs an epoch >= 1 and a finite value");
            }
        }
    }

    /**
     * What a run's data looked like, kept in {@code run.json} so that a change can be named.
     *
     * @param trainImages images in the training split (before {@code --max-train}), {@code >= 0}
     * @param testImages  images in the test split (before {@code --max-test}), {@code >= 0}
     * @param imageShape  {@code CxHxW}
     * @param classes     the class names of a labelled dataset in label order
     *                    ({@link DatasetSplits#classes()}); empty for an unlabelled one
     */
    public record DatasetSummary(int trainImages, int testImages, String imageShape, List<String> classes) {
        public DatasetSummary {
            if (trainImages < 0 || testImages < 0) {
                throw new IllegalArgumentException("its dataset has a negative number of images");
            }
            classes = classes == null ? List.of() : List.copyOf(classes);
        }

        /** The summary of opened splits. */
        public static DatasetSummary of(DatasetSplits splits) {
            return new DatasetSummary(splits.train().size(), splits.test().size(), splits.train().shape().toString(),
                    splits.classes());
        }
    }

    /**
     * A change of a run's data that {@code --allow-data-change} accepted on resume.
     *
     * @param time                when (UTC, ISO-8601)
     * @param completedEpochs     epochs trained on the earlier data
     * @param batchesDone         batches of the next epoch trained on the earlier data
     * @param previousFingerprint the data's fingerprint before
     * @param fingerprint         the data's fingerprint after
     * @param change              what changed, in words
     */
    public record DataChange(String time, int completedEpochs, int batchesDone, String previousFingerprint,
                             String fingerprint, String change) {
    }
}
