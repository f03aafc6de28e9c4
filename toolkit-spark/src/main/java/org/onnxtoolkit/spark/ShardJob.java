package org.onnxtoolkit.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.apache.spark.TaskContext;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.compiler.artifacts.Manifest;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.io.Json;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.training.ShardTraining;

/**
 * What every data-parallel worker needs for the whole run, broadcast once: the run's settings, its training
 * artifacts and its training split's pixels (and labels). So the workers need neither the data nor the
 * plugins, only the toolkit's class path. Immutable after construction; the arrays are not copied and never
 * modified.
 */
final class ShardJob implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String configJson;
    private final byte[] trainingModel;
    private final byte[] evalModel;
    private final byte[] optimizerModel;
    private final String manifestJson;
    private final int channels;
    private final int height;
    private final int width;
    private final byte[] pixels;
    /** Per image, or null when the split has no labels. */
    private final int[] labels;

    ShardJob(RunConfig config, TrainingArtifacts artifacts, ImageSplit train) {
        try {
            this.configJson = Json.MAPPER.writeValueAsString(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.trainingModel = artifacts.trainingModel();
        this.evalModel = artifacts.evalModel();
        this.optimizerModel = artifacts.optimizerModel();
        this.manifestJson = artifacts.manifest().toJson();
        ImageShape shape = train.shape();
        this.channels = shape.channels();
        this.height = shape.height();
        this.width = shape.width();
        long bytes = (long) train.size() * shape.size();
        if (bytes > SparkDataParallel.MAX_TRAIN_BYTES) {
            throw new IllegalArgumentException("the training split has " + (bytes >> 20) + " MiB of pixels; --spark"
                    + " sends it to every worker and takes at most " + (SparkDataParallel.MAX_TRAIN_BYTES >> 20)
                    + " MiB (use --max-train N, or train without --spark)");
        }
        this.pixels = new byte[(int) bytes];
        int[] l = new int[train.size()];
        boolean labelled = false;
        for (int i = 0; i < train.size(); i++) {
            train.copyImage(i, pixels, i * shape.size());
            l[i] = train.label(i);
            labelled |= l[i] >= 0;
        }
        this.labels = labelled ? l : null;
    }

    /** Worker {@code share}'s batches of a round, trained on this executor with its task's cores. */
    ShardTraining.Result train(byte[] checkpoint, int epoch, int[] batches, int firstBatch, long stepBefore)
            throws IOException {
        TaskContext task = TaskContext.get();
        int cpus = task == null ? 1 : Math.max(1, task.cpus());
        RunConfig config = Json.MAPPER.readValue(configJson, RunConfig.class);
        TrainingArtifacts artifacts = new TrainingArtifacts(trainingModel, evalModel, optimizerModel,
                Manifest.fromJson(manifestJson));
        return ShardTraining.train(checkpoint, artifacts, config, new Split(), SessionConfig.cpu()
                .withIntraOpThreads(cpus), epoch, batches, firstBatch, stepBefore);
    }

    /** The broadcast pixels as an {@link ImageSplit}; safe for concurrent reads. */
    private final class Split implements ImageSplit {
        private final ImageShape shape = new ImageShape(channels, height, width);

        @Override
        public ImageShape shape() {
            return shape;
        }

        @Override
        public int size() {
            return pixels.length / shape.size();
        }

        @Override
        public void copyImage(int index, byte[] target, int offset) {
            java.util.Objects.checkIndex(index, size());
            System.arraycopy(pixels, index * shape.size(), target, offset, shape.size());
        }

        @Override
        public int label(int index) {
            java.util.Objects.checkIndex(index, size());
            return labels == null ? -1 : labels[index];
        }
    }
}
