package org.onnxtoolkit.runtime.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
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
 * pictures of {@link RunOutputs}, then a checkpoint with optimizer state and {@code state.json} (which
 * holds the checkpoint's SHA-256), both written atomically. After the last epoch the models are exported
 * and only then is the run marked complete in {@code state.json}, so that a run killed before its models
 * exist is finished by {@code --resume}. Noise is fed from Java, so a run resumed from any checkpoint, even
 * one written on interruption in the middle of an epoch, continues exactly as the uninterrupted run would
 * have (same device, same thread count). A loss that is not finite or explodes ({@link DivergenceGuard})
 * stops the run; the last checkpoint is kept.
 *
 * <p>Not thread-safe; the stop signal may be set from another thread.
 */
public final class Trainer {
    public static final String RUN_JSON = "run.json";
    public static final String STATE_JSON = "state.json";
    public static final String METRICS_CSV = "metrics.csv";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String ARTIFACTS = "artifacts";
    /** The provenance key of the dataset's fingerprint ({@link DatasetSplits#fingerprint()}). */
    public static final String DATASET_FINGERPRINT = "dataset_fingerprint";
    /**
     * Writes indented JSON; reads strictly: a fraction where a count belongs, a null where a number belongs
     * or text after the document is an error, not a silent 0 (unknown properties are ignored, so a newer
     * toolkit's files stay readable).
     */
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

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
     * @param provenance    toolkit version, plugin ids and versions, dataset fingerprint
     *                      ({@value #DATASET_FINGERPRINT}), ...: written into {@code run.json}, checkpoints
     *                      and exported models
     * @param runDir        the run folder; the caller holds its {@link RunLock} for as long as the trainer runs
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
        if (!provenance.containsKey(DATASET_FINGERPRINT)) {
            throw new IllegalArgumentException("provenance lacks " + DATASET_FINGERPRINT);
        }
    }

    /**
     * The run record written to {@code run.json}. Built (and so read) only with consistent values.
     *
     * @param config             the run's settings
     * @param provenance         toolkit version, plugins, fingerprints; has {@value #DATASET_FINGERPRINT}
     * @param modelConfiguration the model's configuration as the architecture reports it
     * @param artifactsFingerprint the training artifacts' fingerprint
     * @param dataset            what the data looked like when the run started (or at its last allowed data
     *                           change); null in a {@code run.json} of an earlier toolkit version
     * @param dataChanges        data changes accepted with {@code --allow-data-change}, oldest first; empty
     *                           when the run always saw the same data
     */
    public record RunRecord(RunConfig config, Map<String, String> provenance, Map<String, String> modelConfiguration,
                            String artifactsFingerprint, DatasetSummary dataset, List<DataChange> dataChanges) {
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
        RunRecord withDataChange(DataChange change, DatasetSummary now) {
            Map<String, String> p = new TreeMap<>(provenance);
            p.put(DATASET_FINGERPRINT, change.fingerprint());
            List<DataChange> changes = new ArrayList<>(dataChanges);
            changes.add(change);
            return new RunRecord(config, p, modelConfiguration, artifactsFingerprint, now, changes);
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

        static DatasetSummary of(DatasetSplits splits) {
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

    /** Reads a run folder's {@code run.json}, checking its values. */
    public static RunRecord readRunRecord(Path runDir) throws IOException {
        Path file = runDir.resolve(RUN_JSON);
        try {
            return JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), RunRecord.class);
        } catch (NoSuchFileException e) {
            throw new IOException(runDir + " is not a run folder: " + RUN_JSON + " is missing", e);
        } catch (JsonProcessingException e) {
            throw damaged(file, e);
        }
    }

    /** Reads a run folder's {@code state.json}, checking its values; null when the run never wrote one. */
    public static RunState readState(Path runDir) throws IOException {
        Path file = runDir.resolve(STATE_JSON);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            return JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), RunState.class);
        } catch (JsonProcessingException e) {
            throw damaged(file, e);
        }
    }

    /** "FILE is damaged: what is wrong (at where)", from a parse error or from a record's check of its values. */
    private static IOException damaged(Path file, JsonProcessingException e) {
        Throwable cause = e.getCause();
        boolean check = cause instanceof IllegalArgumentException || cause instanceof NullPointerException;
        String problem = check ? String.valueOf(cause.getMessage()) : e.getOriginalMessage();
        int nl = problem.indexOf('\n');
        problem = (nl >= 0 ? problem.substring(0, nl) : problem).trim();
        if (!check && e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder at = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    at.append(at.length() == 0 ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    at.append('[').append(r.getIndex()).append(']');
                }
            }
            problem += " (at " + at + ")";
        }
        return new IOException(file + " is damaged: " + problem, e);
    }

    /**
     * Starts a new run in {@code runDir}, which holds nothing but its lock: {@code run.json}, the training
     * artifacts, the initial checkpoint from the seed, then the epochs.
     */
    public Result start() throws IOException {
        try {
            Path record = runDir.resolve(RUN_JSON);
            RunFiles.writing(record, () -> writeJson(record, new RunRecord(config, provenance, graphs.configuration(),
                    artifacts.manifest().fingerprint(), DatasetSummary.of(data), List.of())));
            CrashPoints.reached("start");
            return fromSeed();
        } catch (RunFiles.RunWriteFailedException e) {
            throw writeFailure(e);
        }
    }

    /**
     * Continues the run in {@code runDir} (its {@code run.json} gave this trainer's settings). Before writing
     * anything it compares the data with the run's record and checks the state against the data; then it
     * removes temporary files left by interrupted writes, and either trains on from the checkpoint, or, when
     * the epochs are all trained but the models are not (all) written, writes them from the last checkpoint
     * without training.
     *
     * @param record          the run's {@code run.json}
     * @param checked         its checked {@code state.json}, or null when the run has none (it never
     *                        completed an epoch, and starts again from the seed)
     * @param allowDataChange continue even when the data's fingerprint differs from the record's (the
     *                        change is recorded in {@code run.json})
     * @throws TrainingException        when the data changed and that was not allowed, or the state does not
     *                                  fit the data; nothing is written then
     * @throws IllegalArgumentException when the run stopped inside an epoch and this trainer's settings end
     *                                  the run before it (the caller checks {@code --epochs} first)
     */
    public Result resume(Trainer.RunRecord record, ResumeChecks.CheckedState checked, boolean allowDataChange)
            throws IOException {
        RunState state = checked == null ? null : checked.state();
        if (state != null && state.batchesDone() > 0 && config.epochs() <= state.completedEpochs()) {
            // Exporting would publish the parameters of half an epoch as the model of the whole run.
            throw new IllegalArgumentException("the run stopped in epoch " + (state.completedEpochs() + 1)
                    + "; it cannot end after " + config.epochs() + " epochs");
        }
        if (state != null && state.completedEpochs() >= config.epochs() && !Boolean.FALSE.equals(state.complete())
                && missingOutputs(state.completedEpochs()).isEmpty()) {
            // Nothing to train or write: the data need not be the same, and the folder is left as it is.
            listener.info("run already completed " + state.completedEpochs() + " epochs");
            return new Result(runDir, state.completedEpochs(), false, last(state.history()));
        }
        DataChange change = dataChange(record, state);
        if (change != null && !allowDataChange) {
            throw new TrainingException("cannot resume: the data changed since this run started (" + change.change()
                    + "); restore the data, or resume anyway with --allow-data-change (it is recorded in " + RUN_JSON
                    + ")");
        }
        if (state != null) {
            try {
                state.checkAgainst(config.batchSize(), batchesPerEpoch(),
                        change != null || !record.dataChanges().isEmpty());
            } catch (IllegalArgumentException e) {
                throw new TrainingException(runDir.resolve(STATE_JSON) + " is damaged: " + e.getMessage()
                        + " (nothing was changed)");
            }
        }
        // Checked: from here on the run folder is written.
        try {
            List<Path> stale = RunFiles.removeStaleTemporaryFiles(runDir);
            if (!stale.isEmpty()) {
                listener.info("removed " + stale.size() + " temporary file" + (stale.size() == 1 ? "" : "s")
                        + " left by an interrupted write: " + String.join(", ",
                        stale.stream().map(f -> runDir.relativize(f).toString()).toList()));
            }
            if (change != null) {
                Path file = runDir.resolve(RUN_JSON);
                RunRecord updated = record.withDataChange(change, DatasetSummary.of(data));
                RunFiles.writing(file, () -> writeJson(file, updated));
                listener.info("the data changed (" + change.change() + "); resuming anyway as --allow-data-change"
                        + " asks; the change is recorded in " + RUN_JSON);
            }
            if (state == null) {
                listener.info("resuming " + runDir + ": no epoch was completed yet, starting again from the seed");
                return fromSeed();
            }
            // A crash between writing state.json and removing the older checkpoint leaves that one behind.
            removeCheckpointsBut(state.checkpoint());
            if (!checked.verified()) {
                listener.info("note: " + STATE_JSON + " was written by an earlier toolkit version and records no"
                        + " checkpoint hash; " + checked.checkpoint() + " is used unverified");
            }
            if (state.completedEpochs() >= config.epochs()) {
                List<String> missing = missingOutputs(state.completedEpochs());
                listener.info("the run's " + state.completedEpochs() + " epochs are trained but "
                        + (missing.isEmpty() ? "its models were not all written" : String.join(", ", missing)
                        + (missing.size() == 1 ? " is" : " are") + " missing") + "; writing them from "
                        + checked.checkpoint() + " without training");
            } else {
                listener.info("resuming " + runDir + " at epoch " + (state.completedEpochs() + 1)
                        + (state.batchesDone() > 0 ? ", batch " + (state.batchesDone() + 1) : ""));
            }
            return train(state, checked.checkpoint());
        } catch (RunFiles.RunWriteFailedException e) {
            throw writeFailure(e);
        }
    }

    /** The artifacts and the initial checkpoint, then training from it. */
    private Result fromSeed() throws IOException {
        Path artifactsDir = runDir.resolve(ARTIFACTS);
        RunFiles.writing(artifactsDir, () -> artifacts.writeTo(artifactsDir));
        Path checkpoint = runDir.resolve(CHECKPOINTS).resolve(RunState.INITIAL_CHECKPOINT);
        RunFiles.writing(checkpoint, () -> AtomicFiles.write(checkpoint,
                artifacts.initialCheckpoint(config.seed(), provenance)));
        return train(RunState.initial(), checkpoint);
    }

    /** The data's change since the record, or null when its fingerprint is the record's. */
    private DataChange dataChange(RunRecord record, RunState state) {
        String before = record.provenance().get(DATASET_FINGERPRINT);
        String now = provenance.get(DATASET_FINGERPRINT);
        if (before.equals(now)) {
            return null;
        }
        List<String> what = new ArrayList<>();
        DatasetSummary was = record.dataset();
        DatasetSummary is = DatasetSummary.of(data);
        if (was != null) {
            if (was.trainImages() != is.trainImages()) {
                what.add("train images were " + was.trainImages() + ", are " + is.trainImages());
            }
            if (was.testImages() != is.testImages()) {
                what.add("test images were " + was.testImages() + ", are " + is.testImages());
            }
            if (!Objects.equals(was.imageShape(), is.imageShape())) {
                what.add("images were " + was.imageShape() + ", are " + is.imageShape());
            }
            if (!was.classes().equals(is.classes())) {
                what.add("classes were " + was.classes() + ", are " + is.classes());
            }
        }
        what.add("fingerprint was " + abbreviate(before) + ", is " + abbreviate(now)
                + (what.isEmpty() ? " (same number of images: their content or the dataset's options changed)" : ""));
        String where = "dataset " + config.dataset() + (config.dataDir() != null ? " from " + config.dataDir() : "");
        return new DataChange(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                state == null ? 0 : state.completedEpochs(), state == null ? 0 : state.batchesDone(), before, now,
                where + ": " + String.join(", ", what));
    }

    private static String abbreviate(String fingerprint) {
        return fingerprint.length() > 12 ? fingerprint.substring(0, 12) + "..." : fingerprint;
    }

    /** Training steps per epoch with the data and limits of this run. */
    private int batchesPerEpoch() {
        int n = limit(data.train().size(), config.maxTrainImages());
        if (n == 0) {
            throw new TrainingException("dataset " + config.dataset() + " has no training image");
        }
        return (n + config.batchSize() - 1) / config.batchSize();
    }

    /** The outputs a finished run of {@code epochs} epochs has, those that are not there. */
    private List<String> missingOutputs(int epochs) {
        List<String> missing = new ArrayList<>();
        for (String name : RunOutputs.finalOutputs(epochs, graphs.model().latentSize())) {
            if (!Files.isRegularFile(runDir.resolve(name))) {
                missing.add(name);
            }
        }
        if (!Files.isRegularFile(runDir.resolve(METRICS_CSV))) {
            missing.add(METRICS_CSV);
        }
        return missing;
    }

    /** The one line for a write that failed: which file, why, and that the run can be finished. */
    private TrainingException writeFailure(RunFiles.RunWriteFailedException e) {
        String next = Files.isRegularFile(runDir.resolve(RUN_JSON))
                ? "; nothing written before is lost: fix that and continue with"
                + " ./toolkit train --resume " + runDir
                : "; fix that and start the run again";
        return new TrainingException(e.getMessage() + next, e);
    }

    /** Trains from {@code start} (its checkpoint {@code checkpoint}) to the last epoch, then exports. */
    private Result train(RunState start, Path checkpoint) throws IOException {
        RunOutputs outputs = new RunOutputs(runDir, graphs, config, provenance, data.test());
        Path checkpoints = runDir.resolve(CHECKPOINTS);
        try (TrainingSession session = TrainingSession.open(checkpoint, artifacts.trainingModel(),
                artifacts.evalModel(), artifacts.optimizerModel(), sessionConfig)) {
            session.setLearningRate((float) config.learningRate());
            Feeds feeds = new Feeds(session, artifacts.manifest());
            List<EpochMetrics> history = new ArrayList<>(start.history());
            DivergenceGuard guard = new DivergenceGuard(start.recentLosses());
            RunState state = start;
            long step = start.step();
            for (int epoch = start.completedEpochs() + 1; epoch <= config.epochs(); epoch++) {
                boolean resumingThisEpoch = epoch == start.completedEpochs() + 1;
                EpochProgress p = resumingThisEpoch
                        ? new EpochProgress(start.batchesDone(), start.partialLoss(), start.partialNegElbo(),
                        start.partialImages(), start.partialTrainSeconds())
                        : new EpochProgress(0, 0, 0, 0, 0);
                long epochStart = System.nanoTime();
                ImageSplit train = data.train();
                int n = limit(train.size(), config.maxTrainImages());
                int batches = batchesPerEpoch();
                int[] order = Seeds.permutation(train.size(), Seeds.stream(config.seed(), Seeds.Purpose.SHUFFLE, epoch));
                Batches source = new Batches(train);
                listener.epochStarted(epoch, config.epochs(), batches, n);
                for (int b = p.batchesDone; b < batches; b++) {
                    if (stopRequested.getAsBoolean()) {
                        CrashPoints.reached("interrupt-checkpoint");
                        RunState stopped = saveCheckpoint(session, new RunState(epoch - 1, b, step,
                                RunState.checkpointName(epoch, b), null, p.loss, p.negElbo, p.images, p.trainSeconds,
                                history, guard.recent(), false), "interrupt");
                        listener.info("interrupted: checkpoint written to " + checkpoints.resolve(stopped.checkpoint())
                                + "; continue with --resume " + runDir);
                        return new Result(runDir, epoch - 1, true, history.isEmpty() ? null : last(history));
                    }
                    CrashPoints.reached("train", epoch, b + 1);
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
                    String diverged = guard.check(loss);
                    if (diverged != null) {
                        throw diverged("the loss became " + diverged + " at epoch " + epoch + ", batch " + (b + 1));
                    }
                    try {
                        session.optimizerStep();
                    } catch (OrtException e) {
                        throw outOfMemoryOr(e, "an optimizer step (epoch " + epoch + ", batch " + (b + 1) + ")", count);
                    }
                    guard.accept(loss);
                    p.trainSeconds += (System.nanoTime() - t0) / 1e9;
                    step++;
                    p.loss += loss * count;
                    p.negElbo += out.get(feeds.trainNegElbo).item() * count;
                    p.images += count;
                    listener.stepDone(epoch, b + 1, batches, p.images, loss, p.images / Math.max(p.trainSeconds, 1e-9));
                }
                double[] test = evaluate(session, feeds, epoch);
                for (double v : test) {
                    if (!Double.isFinite(v)) {
                        throw diverged("the test loss became " + v + " at epoch " + epoch);
                    }
                }
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                EpochMetrics m = new EpochMetrics(epoch, p.loss / p.images, p.negElbo / p.images, test[0], test[3],
                        test[1], test[2], p.images / Math.max(p.trainSeconds, 1e-9), seconds, config.learningRate());
                history.add(m);
                outputs.epochPictures(epoch, session, history);
                writeMetrics(history);
                CrashPoints.reached("metrics", epoch);
                state = saveCheckpoint(session, new RunState(epoch, 0, step, RunState.epochCheckpointName(epoch), null,
                        0, 0, 0, 0, history, guard.recent(), false), Integer.toString(epoch));
                listener.epochDone(m);
            }
            finish(session, state, outputs);
            return new Result(runDir, state.completedEpochs(), false, last(state.history()));
        }
    }

    /** A diverged run: the message, where the last good checkpoint is, what to do. */
    private TrainingException diverged(String what) {
        return new TrainingException(what + "; the last good checkpoint is kept in " + runDir.resolve(CHECKPOINTS)
                + " (start a new run with a lower --lr, or check the data)");
    }

    /**
     * Writes the models of a run whose epochs are all trained ({@code state} names the last epoch's
     * checkpoint, from which {@code session} was opened or which it just wrote), any missing picture of the
     * last epoch and a missing or different {@code metrics.csv} (from the history), and then marks the run
     * complete. Files already right are not rewritten, so that on a full disk the failure names the model.
     */
    private void finish(TrainingSession session, RunState state, RunOutputs outputs) throws IOException {
        int epoch = state.completedEpochs();
        if (!RunOutputs.epochPictures(epoch).stream().allMatch(f -> Files.isRegularFile(runDir.resolve(f)))) {
            outputs.epochPictures(epoch, session, state.history());
        }
        if (!Arrays.equals(metricsCsv(state.history()), readIfPresent(runDir.resolve(METRICS_CSV)))) {
            writeMetrics(state.history());
        }
        CrashPoints.reached("export");
        outputs.export(session, last(state.history()));
        writeState(state.completed());
    }

    private static EpochMetrics last(List<EpochMetrics> history) {
        return history.isEmpty() ? null : history.get(history.size() - 1);
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
            if (b == 0) {
                CrashPoints.reached("evaluate", epoch);
            }
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

    /**
     * Writes the session's checkpoint under {@code state.checkpoint()} (atomically; its SHA-256 taken from the
     * complete temporary file before the rename), then {@code state.json} naming it with that hash, then
     * removes the older checkpoints. A crash at any point leaves a {@code state.json} that names a complete
     * checkpoint whose hash it holds.
     *
     * @param stage the epoch, or {@code interrupt}, for the {@link CrashPoints} names
     * @return {@code state} with the checkpoint's hash, as written
     */
    private RunState saveCheckpoint(TrainingSession session, RunState state, String stage) throws IOException {
        Path dir = runDir.resolve(CHECKPOINTS);
        Path target = dir.resolve(state.checkpoint());
        String[] sha256 = new String[1];
        RunFiles.writing(target, () -> AtomicFiles.writeVia(target, tmp -> {
            session.saveCheckpoint(tmp, true);
            sha256[0] = RunFiles.sha256(tmp);
            CrashPoints.reached("checkpoint-temp:" + stage);
        }));
        CrashPoints.reached("checkpoint-renamed:" + stage);
        RunState stamped = state.withCheckpointSha256(sha256[0]);
        writeState(stamped);
        CrashPoints.reached("state-written:" + stage);
        removeCheckpointsBut(state.checkpoint());
        return stamped;
    }

    /** Removes every checkpoint but {@code keep}: state.json names no other, and none is ever used again. */
    private void removeCheckpointsBut(String keep) throws IOException {
        try (Stream<Path> files = Files.list(runDir.resolve(CHECKPOINTS))) {
            for (Path old : files.filter(f -> f.getFileName().toString().endsWith(".ckpt")
                    && !f.getFileName().toString().equals(keep)).toList()) {
                Files.deleteIfExists(old);
            }
        }
    }

    private void writeState(RunState state) throws IOException {
        Path file = runDir.resolve(STATE_JSON);
        RunFiles.writing(file, () -> writeJson(file, state));
    }

    private void writeMetrics(List<EpochMetrics> history) throws IOException {
        byte[] csv = metricsCsv(history);
        Path file = runDir.resolve(METRICS_CSV);
        RunFiles.writing(file, () -> AtomicFiles.write(file, csv));
    }

    /** {@code metrics.csv} for these epochs. */
    private static byte[] metricsCsv(List<EpochMetrics> history) {
        StringBuilder sb = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
        for (EpochMetrics m : history) {
            sb.append(m.toCsv()).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] readIfPresent(Path file) throws IOException {
        return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
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
