package org.onnxtoolkit.api.spi;

/**
 * The training settings a {@link LatentModel} configuration was designed for, each optional (null: no
 * recommendation). The runtime uses a setting when the user gives none: a command-line flag wins over the
 * recommendation, which wins over the toolkit's default ({@code bce-kl}, 5 epochs, batch 128, learning rate
 * 0.001, KL weight 1).
 *
 * <pre>
 * return RecommendedTraining.NONE.withObjective("mse-kl").withLearningRate(0.005).withBatchSize(64)
 *         .withKlWeight(0.00025);
 * </pre>
 *
 * <p>Every value is checked when the record is made, so a wrong recommendation fails in the plugin's own unit
 * tests with a one-line {@link IllegalArgumentException}. Immutable.
 *
 * @param objective    the id of the {@link Objective} to train with (lower-kebab-case), or null
 * @param epochs       passes over the train split, {@code >= 1}, or null
 * @param batchSize    images per training step, {@code >= 1}, or null
 * @param learningRate Adam's learning rate, finite and {@code > 0}, or null
 * @param klWeight     weight of the KL term in the loss, finite and {@code >= 0}, or null
 */
public record RecommendedTraining(String objective, Integer epochs, Integer batchSize, Double learningRate,
                                 Double klWeight) {
    /** No recommendation at all: the user's flags, else the toolkit's defaults. */
    public static final RecommendedTraining NONE = new RecommendedTraining(null, null, null, null, null);

    public RecommendedTraining {
        if (objective != null && !Plugin.isValidId(objective)) {
            throw new IllegalArgumentException("recommended training: objective '" + objective
                    + "' is not a lower-kebab-case plugin id, like 'bce-kl'");
        }
        if (epochs != null && epochs < 1) {
            throw new IllegalArgumentException("recommended training: epochs must be at least 1, got " + epochs);
        }
        if (batchSize != null && batchSize < 1) {
            throw new IllegalArgumentException("recommended training: batch size must be at least 1, got " + batchSize);
        }
        if (learningRate != null && !(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("recommended training: learning rate must be a finite number > 0, got "
                    + learningRate);
        }
        if (klWeight != null && !(klWeight >= 0 && Double.isFinite(klWeight))) {
            throw new IllegalArgumentException("recommended training: KL weight must be a finite number >= 0, got "
                    + klWeight);
        }
    }

    public RecommendedTraining withObjective(String objectiveId) {
        return new RecommendedTraining(objectiveId, epochs, batchSize, learningRate, klWeight);
    }

    public RecommendedTraining withEpochs(int n) {
        return new RecommendedTraining(objective, n, batchSize, learningRate, klWeight);
    }

    public RecommendedTraining withBatchSize(int n) {
        return new RecommendedTraining(objective, epochs, n, learningRate, klWeight);
    }

    public RecommendedTraining withLearningRate(double lr) {
        return new RecommendedTraining(objective, epochs, batchSize, lr, klWeight);
    }

    public RecommendedTraining withKlWeight(double weight) {
        return new RecommendedTraining(objective, epochs, batchSize, learningRate, weight);
    }

    /** The recommended objective id, or {@code fallback} when there is none. */
    public String objectiveOr(String fallback) {
        return objective != null ? objective : fallback;
    }

    /** The recommended epochs, or {@code fallback}. */
    public int epochsOr(int fallback) {
        return epochs != null ? epochs : fallback;
    }

    /** The recommended batch size, or {@code fallback}. */
    public int batchSizeOr(int fallback) {
        return batchSize != null ? batchSize : fallback;
    }

    /** The recommended learning rate, or {@code fallback}. */
    public double learningRateOr(double fallback) {
        return learningRate != null ? learningRate : fallback;
    }

    /** The recommended KL weight, or {@code fallback}. */
    public double klWeightOr(double fallback) {
        return klWeight != null ? klWeight : fallback;
    }
}
