package org.onnxtoolkit.engine.run;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a user chose for a run, as stored in {@code run.json}: enough to rebuild the run.
 *
 * @param architecture        architecture plugin id
 * @param architectureOptions the architecture's options as given (defaults applied later)
 * @param dataset             dataset plugin id
 * @param dataDir             data folder, or null for the dataset's default
 * @param datasetOptions      dataset options as given
 * @param objective           objective plugin id
 * @param epochs              number of epochs, {@code >= 1}
 * @param batchSize           images per training step, {@code >= 1}
 * @param learningRate        Adam's learning rate, {@code > 0}
 * @param klWeight            weight of the KL term in the loss, {@code >= 0}
 * @param seed                seed of every random choice
 * @param device              {@code cpu} or {@code cuda[:N]}
 * @param threads             ONNX Runtime intra-op threads, 0 for its default
 * @param maxTrainImages      use at most this many training images (0: all)
 * @param maxTestImages       use at most this many test images (0: all)
 * @param schedule            KL and learning-rate schedules, early stopping, per-step logging; null (a
 *                            {@code run.json} of an earlier toolkit version) reads as
 *                            {@link TrainingSchedule#DEFAULT}
 * @param conditional         whether the model is conditioned on the images' class labels
 *                            ({@code train --conditional}); null (a {@code run.json} of an earlier toolkit
 *                            version) reads as false
 */
public record RunConfig(String architecture, SortedMap<String, String> architectureOptions, String dataset,
                        String dataDir, SortedMap<String, String> datasetOptions, String objective, int epochs,
                        int batchSize, double learningRate, double klWeight, long seed, String device, int threads,
                        int maxTrainImages, int maxTestImages, TrainingSchedule schedule, Boolean conditional) {
    /** An unconditional run's settings. */
    public RunConfig(String architecture, SortedMap<String, String> architectureOptions, String dataset,
                     String dataDir, SortedMap<String, String> datasetOptions, String objective, int epochs,
                     int batchSize, double learningRate, double klWeight, long seed, String device, int threads,
                     int maxTrainImages, int maxTestImages, TrainingSchedule schedule) {
        this(architecture, architectureOptions, dataset, dataDir, datasetOptions, objective, epochs, batchSize,
                learningRate, klWeight, seed, device, threads, maxTrainImages, maxTestImages, schedule, false);
    }

    public RunConfig {
        schedule = schedule == null ? TrainingSchedule.DEFAULT : schedule;
        conditional = Boolean.TRUE.equals(conditional);
        for (String[] id : new String[][] {{"architecture", architecture}, {"dataset", dataset},
                {"objective", objective}, {"device", device}}) {
            if (id[1] == null || id[1].isBlank()) {
                throw new IllegalArgumentException("the " + id[0] + " is missing");
            }
        }
        architectureOptions = new TreeMap<>(architectureOptions == null ? Map.of() : architectureOptions);
        datasetOptions = new TreeMap<>(datasetOptions == null ? Map.of() : datasetOptions);
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("--lr must be a positive number, got " + learningRate);
        }
        if (!(klWeight >= 0) || !Double.isFinite(klWeight)) {
            throw new IllegalArgumentException("--kl-weight must be a number >= 0, got " + klWeight);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
        }
        if (maxTrainImages < 0 || maxTestImages < 0) {
            throw new IllegalArgumentException("image limits must be >= 0");
        }
    }
}
