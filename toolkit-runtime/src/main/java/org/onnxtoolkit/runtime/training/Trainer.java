package org.onnxtoolkit.runtime.training;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.runtime.artifacts.Manifest;
import org.onnxtoolkit.runtime.artifacts.TrainingArtifacts;
import org.onnxtoolkit.runtime.io.AtomicFiles;
import org.onnxtoolkit.runtime.model.ModelGraphs;
import org.onnxtoolkit.runtime.ort.Device;
import org.onnxtoolkit.runtime.ort.OrtException;
import org.onnxtoolkit.runtime.ort.OutOfMemory;
import org.onnxtoolkit.runtime.ort.SessionConfig;
import org.onnxtoolkit.runtime.ort.Tensor;
import org.onnxtoolkit.runtime.ort.TrainingSession;

/**
 * Trains a latent-variable model through ONNX Runtime's training API and writes the run folder.
 *
 * <p>Each epoch: shuffle (counter-based, see {@link Seeds}), one {@code LazyResetGrad}, {@code TrainStep}
 * and {@code OptimizerStep} per batch (the last batch may be smaller), evaluation on the test split, the
 * pictures of {@link RunOutputs}, then a checkpoint with optimizer state and {@code state.json}, both
 * written atomically. Noise is fed from Java, so a run resumed from any checkpoint, even one written on
 * interruption in the middle of an epoch, continues exactly as the uninterrupted run would have (same
 * device, same thread count). A non-finite loss stops the run; the last checkpoint is kept.
 *
 * <p>Not thread-safe; the stop signal may be set from another thread.
 */
public final class Trainer {
    public static final String RUN_JSON = "run.json";
    public static final String STATE_JSON = "state.json";
    public static final String METRICS_CSV = "metrics.csv";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String ARTIFACTS = "artifacts";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** How a run ended. */
    public record Result(Path runDirectory, int completedEpochs, boolean interrupted, EpochMetrics last) {
    }

    private final RunConfig config;
    private final ModelGraphs graphs;
    private final TrainingArtifacts artifacts;
    private final DatasetSplits data;
    private final Map<String, String> provenance;
    private final SessionConfig sessionConfig;
    private final Path runDir;
    private final TrainingListener listener;
    private final BooleanSupplier stopRequested;

    /**
     * @param provenance    toolkit version, plugin ids and versions, dataset fingerprint, ...: written into
     *                      {@code run.json}, checkpoints and exported models
     * @param stopRequested polled between steps; when true the run checkpoints and returns
     */
    public Trainer(RunConfig config, ModelGraphs graphs, TrainingArtifacts artifacts, DatasetSplits data,
                   Map<String, String> provenance, SessionConfig sessionConfig, Path runDir,
                   TrainingListener listener, BooleanSupplier stopRequested) {
        this.config = config;
        this.graphs = graphs;
        this.artifacts = artifacts;
        this.data = data;
        this.provenance = Map.copyOf(provenance);
        this.sessionConfig = sessionConfig;
        this.runDir = runDir;
        this.listener = listener;
        this.stopRequested = stopRequested;
    }

    /** The run record written to {@code run.json}. */
    public record RunRecord(RunConfig config, Map<String, String> provenance, Map<String, String> modelConfiguration,
                            String artifactsFingerprint) {
    }

    /** Reads a run folder's {@code run.json}. */
    public static RunRecord readRunRecord(Path runDir) throws IOException {
        Path file = runDir.resolve(RUN_JSON);
        try {
            return JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), RunRecord.class);
        } catch (NoSuchFileException e) {
            throw new IOException(runDir + " is not a run folder: " + RUN_JSON + " is missing", e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + " is damaged: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a run folder's {@code state.json}, or null when the run never finished an epoch or a stop. */
    public static RunState readState(Path runDir) throws IOException {
        Path file = runDir.resolve(STATE_JSON);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), RunState.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + " is damaged: " + e.getOriginalMessage(), e);
        }
    }

    /** Starts a new run, or continues the run in {@code runDir} when it has a {@code state.json}. */
    public Result run() throws IOException {
        Files.createDirectories(runDir.resolve(CHECKPOINTS));
        RunState state = readState(runDir);
        Path checkpoint;
        if (state == null) {
            artifacts.writeTo(runDir.resolve(ARTIFACTS));
            writeJson(runDir.resolve(RUN_JSON), new RunRecord(config, provenance, graphs.configuration(),
                    artifacts.manifest().fingerprint()));
            checkpoint = runDir.resolve(CHECKPOINTS).resolve("initial.ckpt");
            AtomicFiles.write(checkpoint, artifacts.initialCheckpoint(config.seed(), provenance));
            state = new RunState(0, 0, 0, checkpoint.getFileName().toString(), 0, 0, 0, 0, List.of());
        } else {
            checkpoint = runDir.resolve(CHECKPOINTS).resolve(state.checkpoint());
            if (!Files.isRegularFile(checkpoint)) {
                throw new TrainingException("cannot resume: checkpoint " + checkpoint + " named in " + STATE_JSON
                        + " is missing");
            }
            if (state.completedEpochs() >= config.epochs()) {
                listener.info("run already completed " + state.completedEpochs() + " epochs");
                return new Result(runDir, state.completedEpochs(), false,
                        state.history().isEmpty() ? null : state.history().get(state.history().size() - 1));
            }
            listener.info("resuming " + runDir + " at epoch " + (state.completedEpochs() + 1)
                    + (state.batchesDone() > 0 ? ", batch " + (state.batchesDone() + 1) : ""));
        }
        RunOutputs outputs = new RunOutputs(runDir, graphs, config, provenance, data.test());
        try (TrainingSession session = TrainingSession.open(checkpoint, artifacts.trainingModel(),
                artifacts.evalModel(), artifacts.optimizerModel(), sessionConfig)) {
            session.setLearningRate((float) config.learningRate());
            Feeds feeds = new Feeds(session, artifacts.manifest());
            List<EpochMetrics> history = new ArrayList<>(state.history());
            long step = state.step();
            for (int epoch = state.completedEpochs() + 1; epoch <= config.epochs(); epoch++) {
                boolean resumingThisEpoch = epoch == state.completedEpochs() + 1;
                EpochProgress p = resumingThisEpoch
                        ? new EpochProgress(state.batchesDone(), state.partialLoss(), state.partialNegElbo(),
                        state.partialImages(), state.partialTrainSeconds())
                        : new EpochProgress(0, 0, 0, 0, 0);
                long epochStart = System.nanoTime();
                ImageSplit train = data.train();
                int n = limit(train.size(), config.maxTrainImages());
                int batches = (n + config.batchSize() - 1) / config.batchSize();
                int[] order = Seeds.permutation(train.size(), Seeds.stream(config.seed(), Seeds.Purpose.SHUFFLE, epoch));
                Batches source = new Batches(train);
                listener.epochStarted(epoch, config.epochs(), batches, n);
                for (int b = p.batchesDone; b < batches; b++) {
                    if (stopRequested.getAsBoolean()) {
                        String name = String.format("epoch-%03d-batch-%05d.ckpt", epoch, b);
                        saveCheckpoint(session, name, new RunState(epoch - 1, b, step, name, p.loss, p.negElbo,
                                p.images, p.trainSeconds, history));
                        listener.info("interrupted: checkpoint written to " + runDir.resolve(CHECKPOINTS).resolve(name)
                                + "; continue with --resume " + runDir);
                        return new Result(runDir, epoch - 1, true, history.isEmpty() ? null
                                : history.get(history.size() - 1));
                    }
                    int count = Math.min(config.batchSize(), n - b * config.batchSize());
                    Tensor x = Tensor.of(source.batch(order, b * config.batchSize(), count), source.shape(count));
                    long t0 = System.nanoTime();
                    List<Tensor> out;
                    try {
                        session.lazyResetGrad();
                        out = session.trainStep(feeds.inputs(x, (float) config.klWeight(),
                                Seeds.stream(config.seed(), Seeds.Purpose.TRAIN_NOISE, epoch, b)));
                    } catch (OrtException e) {
                        throw outOfMemoryOr(e, "a training step (epoch " + epoch + ", batch " + (b + 1) + ")", count);
                    }
                    double loss = out.get(feeds.trainLoss).item();
                    if (!Double.isFinite(loss)) {
                        throw new TrainingException("the loss became " + loss + " at epoch " + epoch + ", batch "
                                + (b + 1) + "; the last good checkpoint is kept in " + runDir.resolve(CHECKPOINTS)
                                + " (resume from it with a lower --lr, or check the data)");
                    }
                    try {
                        session.optimizerStep();
                    } catch (OrtException e) {
                        throw outOfMemoryOr(e, "an optimizer step (epoch " + epoch + ", batch " + (b + 1) + ")", count);
                    }
                    p.trainSeconds += (System.nanoTime() - t0) / 1e9;
                    step++;
                    p.loss += loss * count;
                    p.negElbo += out.get(feeds.trainNegElbo).item() * count;
                    p.images += count;
                    listener.stepDone(epoch, b + 1, batches, p.images, loss, p.images / Math.max(p.trainSeconds, 1e-9));
                }
                double[] test = evaluate(session, feeds, epoch);
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                EpochMetrics m = new EpochMetrics(epoch, p.loss / p.images, p.negElbo / p.images, test[0], test[3],
                        test[1], test[2], p.images / Math.max(p.trainSeconds, 1e-9), seconds, config.learningRate());
                history.add(m);
                outputs.epochPictures(epoch, session, history);
                writeMetrics(history);
                String name = String.format("epoch-%03d.ckpt", epoch);
                saveCheckpoint(session, name, new RunState(epoch, 0, step, name, 0, 0, 0, 0, history));
                listener.epochDone(m);
            }
            outputs.export(session, history.get(history.size() - 1));
            return new Result(runDir, config.epochs(), false, history.get(history.size() - 1));
        }
    }

    /** Mean loss, recon, kl and negative ELBO over the test split. */
    private double[] evaluate(TrainingSession session, Feeds feeds, int epoch) {
        ImageSplit test = data.test();
        int n = limit(test.size(), config.maxTestImages());
        Batches source = new Batches(test);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double[] sums = new double[4];
        int batch = Math.max(config.batchSize(), 256);
        for (int from = 0, b = 0; from < n; from += batch, b++) {
            int count = Math.min(batch, n - from);
            Tensor x = Tensor.of(source.batch(order, from, count), source.shape(count));
            List<Tensor> out;
            try {
                out = session.evalStep(feeds.evalInputs(x, (float) config.klWeight(),
                        Seeds.stream(config.seed(), Seeds.Purpose.EVAL_NOISE, epoch, b)));
            } catch (OrtException e) {
                throw outOfMemoryOr(e, "evaluation (epoch " + epoch + ")", count);
            }
            sums[0] += out.get(feeds.evalLoss).item() * count;
            sums[1] += out.get(feeds.evalRecon).item() * count;
            sums[2] += out.get(feeds.evalKl).item() * count;
            sums[3] += out.get(feeds.evalNegElbo).item() * count;
        }
        for (int i = 0; i < 4; i++) {
            sums[i] /= n;
        }
        return sums;
    }

    /**
     * Turns an ORT failure that means "out of memory" into one line naming the batch size that failed; any
     * other failure is returned unchanged, for the caller to throw.
     */
    private RuntimeException outOfMemoryOr(OrtException e, String during, int batchSize) {
        return outOfMemoryOr(e, sessionConfig.device(), during, batchSize);
    }

    static RuntimeException outOfMemoryOr(OrtException e, Device device, String during, int batchSize) {
        if (!OutOfMemory.isOutOfMemory(e)) {
            return e;
        }
        return new TrainingException(OutOfMemory.advice(device, during, batchSize, "--batch-size"), e);
    }

    private void saveCheckpoint(TrainingSession session, String name, RunState state) throws IOException {
        Path dir = runDir.resolve(CHECKPOINTS);
        session.saveCheckpoint(dir.resolve(name), true);
        writeJson(runDir.resolve(STATE_JSON), state);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path old : files.filter(f -> f.getFileName().toString().endsWith(".ckpt")
                    && !f.getFileName().toString().equals(name)).toList()) {
                Files.deleteIfExists(old);
            }
        }
    }

    private void writeMetrics(List<EpochMetrics> history) throws IOException {
        StringBuilder sb = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
        for (EpochMetrics m : history) {
            sb.append(m.toCsv()).append('\n');
        }
        AtomicFiles.write(runDir.resolve(METRICS_CSV), sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    static void writeJson(Path file, Object value) throws IOException {
        AtomicFiles.write(file, JSON.writeValueAsBytes(value));
    }

    private static int limit(int size, int max) {
        return max > 0 ? Math.min(size, max) : size;
    }

    /** Mutable accumulators of the epoch in progress. */
    private static final class EpochProgress {
        final int batchesDone;
        double loss;
        double negElbo;
        long images;
        double trainSeconds;

        EpochProgress(int batchesDone, double loss, double negElbo, long images, double trainSeconds) {
            this.batchesDone = batchesDone;
            this.loss = loss;
            this.negElbo = negElbo;
            this.images = images;
            this.trainSeconds = trainSeconds;
        }
    }

    /** Maps the models' user inputs and outputs by name, and builds the input lists. */
    static final class Feeds {
        private final List<Manifest.TensorEntry> trainInputs;
        private final List<Manifest.TensorEntry> evalInputs;
        final int trainLoss;
        final int trainNegElbo;
        final int evalLoss;
        final int evalRecon;
        final int evalKl;
        final int evalNegElbo;

        Feeds(TrainingSession session, Manifest manifest) {
            trainInputs = ordered(session.trainingInputNames(), manifest.trainingInputs());
            evalInputs = ordered(session.evalInputNames(), manifest.evalInputs());
            List<String> to = session.trainingOutputNames();
            List<String> eo = session.evalOutputNames();
            trainLoss = index(to, ModelGraphs.LOSS);
            trainNegElbo = index(to, ModelGraphs.NEG_ELBO);
            evalLoss = index(eo, ModelGraphs.LOSS);
            evalRecon = index(eo, ModelGraphs.RECON);
            evalKl = index(eo, ModelGraphs.KL);
            evalNegElbo = index(eo, ModelGraphs.NEG_ELBO);
        }

        private static List<Manifest.TensorEntry> ordered(List<String> names, List<Manifest.TensorEntry> entries) {
            List<Manifest.TensorEntry> out = new ArrayList<>();
            for (String name : names) {
                out.add(entries.stream().filter(e -> e.name().equals(name)).findFirst()
                        .orElseThrow(() -> new TrainingException("the model has an input '" + name
                                + "' that its manifest does not describe; regenerate the artifacts")));
            }
            return out;
        }

        private static int index(List<String> names, String name) {
            int i = names.indexOf(name);
            if (i < 0) {
                throw new TrainingException("the model has no output '" + name + "' (outputs: " + names + ")");
            }
            return i;
        }

        List<Tensor> inputs(Tensor x, float klWeight, SplittableRandom noise) {
            return build(trainInputs, x, klWeight, noise);
        }

        List<Tensor> evalInputs(Tensor x, float klWeight, SplittableRandom noise) {
            return build(evalInputs, x, klWeight, noise);
        }

        private static List<Tensor> build(List<Manifest.TensorEntry> entries, Tensor x, float klWeight,
                                          SplittableRandom noise) {
            List<Tensor> in = new ArrayList<>(entries.size());
            long batch = x.dim(0);
            for (Manifest.TensorEntry e : entries) {
                if (e.name().equals(ModelGraphs.X)) {
                    in.add(x);
                } else if (e.name().equals(ModelGraphs.KL_WEIGHT)) {
                    in.add(Tensor.scalar(klWeight));
                } else if (Manifest.TensorEntry.ROLE_NOISE.equals(e.role())) {
                    long[] shape = e.shape().clone();
                    long count = 1;
                    for (int i = 0; i < shape.length; i++) {
                        if (shape[i] < 0) {
                            shape[i] = batch;
                        }
                        count *= shape[i];
                    }
                    float[] values = new float[Math.toIntExact(count)];
                    Seeds.gaussians(values, noise);
                    in.add(Tensor.of(values, shape));
                } else {
                    throw new TrainingException("the model has an input '" + e.name() + "' the trainer cannot feed");
                }
            }
            return in;
        }
    }
}
