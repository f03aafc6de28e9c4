package org.onnxtoolkit.engine.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.onnxtoolkit.api.events.EpochDone;
import org.onnxtoolkit.api.events.EpochMetrics;
import org.onnxtoolkit.api.events.EpochStarted;
import org.onnxtoolkit.api.events.Evaluation;
import org.onnxtoolkit.api.events.RunDiverged;
import org.onnxtoolkit.api.events.RunFinished;
import org.onnxtoolkit.api.events.RunInterrupted;
import org.onnxtoolkit.api.events.RunStarted;
import org.onnxtoolkit.api.events.StepDone;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageSplit;
import org.onnxtoolkit.compiler.artifacts.TrainingArtifacts;
import org.onnxtoolkit.compiler.io.AtomicFiles;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.Device;
import org.onnxtoolkit.engine.ort.OrtException;
import org.onnxtoolkit.engine.ort.OutOfMemory;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.ort.TrainingSession;
import org.onnxtoolkit.engine.run.RunConfig;
import org.onnxtoolkit.engine.run.RunDirectory;
import org.onnxtoolkit.engine.run.RunFiles;
import org.onnxtoolkit.engine.run.RunRecord;
import org.onnxtoolkit.engine.run.RunRecord.DataChange;
import org.onnxtoolkit.engine.run.RunRecord.DatasetSummary;
import org.onnxtoolkit.engine.run.RunState;
import org.onnxtoolkit.engine.run.TrainingSchedule;
import org.onnxtoolkit.engine.schedule.EarlyStopping;
import org.onnxtoolkit.engine.schedule.KlSchedule;
import org.onnxtoolkit.engine.schedule.LrSchedule;

/**
 * Trains a latent-variable model through ONNX Runtime's training API, announcing what happens to its
 * listeners, which write the run folder.
 *
 * <p>Each epoch: shuffle (counter-based, see {@link Seeds}), one {@code LazyResetGrad}, {@code TrainStep}
 * and {@code OptimizerStep} per batch (the last batch may be smaller), evaluation on the test split, then
 * {@link EpochDone}: the outputs write {@code metrics.csv} and pictures, and the checkpoint listener records
 * the epoch (checkpoint with optimizer state, then {@code state.json} with its SHA-256). After the last epoch,
 * {@link RunFinished}: the models are exported and only then is the run marked complete, so that a run killed
 * before its models exist is finished by {@link #resume}. Noise is fed from Java, so a run resumed from any
 * checkpoint, even one written on interruption in the middle of an epoch, continues exactly as the
 * uninterrupted run would have (same device, same thread count). A loss that is not finite or explodes
 * ({@link DivergenceGuard}) stops the run; the last checkpoint is kept. The KL weight and learning rate of
 * each step come from the run's schedules ({@link org.onnxtoolkit.engine.run.TrainingSchedule}) as functions of
 * the step number, and {@code --early-stop} ends the run after the recorded history shows that many epochs
 * without a better test negative ELBO ({@link EarlyStopping}): both resume exactly.
 *
 * <p>Built with {@link #builder}; the standard outputs ({@code metrics.csv}, the models, the checkpoints) are
 * always there, the application adds its own (pictures) and observers (console, plugins). See
 * {@link TrainingListener} for the order of the calls.
 *
 * <p>Not thread-safe; the stop signal may be set from another thread. The caller holds the run folder's
 * {@link org.onnxtoolkit.engine.run.RunLock} for as long as the trainer runs.
 */
public final class Trainer {
    /** How a run ended. */
    public record Result(Path runDirectory, int completedEpochs, boolean interrupted, EpochMetrics last) {
    }

    private final RunConfig config;
    private final ModelGraphs graphs;
    private final TrainingArtifacts artifacts;
    private final DatasetSplits data;
    private final Map<String, String> provenance;
    private final SessionConfig sessionConfig;
    private final RunDirectory run;
    private final BooleanSupplier stopRequested;
    /** Trains the epochs' batches in rounds elsewhere (data-parallel), or null: the trainer's own steps. */
    private final EpochRounds rounds;
    /** Outputs, the checkpoint listener, then observers: the order every event is delivered in. */
    private final List<TrainingListener> listeners;

    private Trainer(Builder b) {
        this.config = b.config;
        this.graphs = b.graphs;
        this.artifacts = b.artifacts;
        this.data = b.data;
        this.provenance = Map.copyOf(b.provenance);
        this.sessionConfig = b.sessionConfig;
        this.run = Objects.requireNonNull(b.run, "run directory");
        this.stopRequested = b.stopRequested;
        this.rounds = b.rounds;
        if (graphs.conditional() && graphs.conditionClasses() != data.classes().size()) {
            throw new IllegalArgumentException("the model is conditioned on " + graphs.conditionClasses()
                    + " classes but the dataset has " + data.classes().size());
        }
        if (!provenance.containsKey(RunRecord.DATASET_FINGERPRINT)) {
            throw new IllegalArgumentException("provenance lacks " + RunRecord.DATASET_FINGERPRINT);
        }
        List<TrainingListener> all = new ArrayList<>();
        all.add(new ModelExport());
        all.add(new MetricsCsv());
        all.add(new BestModels());
        all.add(new StepLog());
        all.addAll(b.outputs);
        all.add(new Checkpoints());
        all.addAll(b.observers);
        this.listeners = List.copyOf(all);
    }

    /**
     * A trainer of {@code graphs} on {@code data} with {@code config}'s settings.
     *
     * @param artifacts the compiled training artifacts of {@code graphs}
     */
    public static Builder builder(RunConfig config, ModelGraphs graphs, TrainingArtifacts artifacts,
                                  DatasetSplits data) {
        return new Builder(config, graphs, artifacts, data);
    }

    /** Builds a {@link Trainer}. Not thread-safe. */
    public static final class Builder {
        private final RunConfig config;
        private final ModelGraphs graphs;
        private final TrainingArtifacts artifacts;
        private final DatasetSplits data;
        private Map<String, String> provenance = Map.of();
        private SessionConfig sessionConfig = SessionConfig.cpu();
        private RunDirectory run;
        private BooleanSupplier stopRequested = () -> false;
        private EpochRounds rounds;
        private final List<TrainingListener> outputs = new ArrayList<>();
        private final List<TrainingListener> observers = new ArrayList<>();

        private Builder(RunConfig config, ModelGraphs graphs, TrainingArtifacts artifacts, DatasetSplits data) {
            this.config = Objects.requireNonNull(config, "config");
            this.graphs = Objects.requireNonNull(graphs, "graphs");
            this.artifacts = Objects.requireNonNull(artifacts, "artifacts");
            this.data = Objects.requireNonNull(data, "data");
        }

        /**
         * Toolkit version, plugin ids and versions, dataset fingerprint ({@value RunRecord#DATASET_FINGERPRINT},
         * required), ...: written into {@code run.json}, checkpoints and exported models.
         */
        public Builder provenance(Map<String, String> provenance) {
            this.provenance = Map.copyOf(provenance);
            return this;
        }

        /** Where and with how many threads the session runs (default: CPU, ORT's default threads). */
        public Builder session(SessionConfig sessionConfig) {
            this.sessionConfig = Objects.requireNonNull(sessionConfig, "sessionConfig");
            return this;
        }

        /** The run folder (required). */
        public Builder runDirectory(RunDirectory run) {
            this.run = Objects.requireNonNull(run, "run");
            return this;
        }

        /** Adds a listener that writes files into the run folder; called before the epoch is recorded. */
        public Builder output(TrainingListener listener) {
            outputs.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Adds a listener that observes the run; called after each event is recorded. */
        public Builder observer(TrainingListener listener) {
            observers.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Polled between steps; when true the run writes a checkpoint and returns (default: never). */
        public Builder stopWhen(BooleanSupplier stopRequested) {
            this.stopRequested = Objects.requireNonNull(stopRequested, "stopRequested");
            return this;
        }

        /**
         * Trains each epoch's batches in rounds of {@code rounds} (data-parallel training) instead of one step
         * per batch here; everything else (evaluation, the run folder, interruption between rounds, divergence
         * checks on every batch's loss) stays the trainer's. Default: none.
         */
        public Builder rounds(EpochRounds rounds) {
            this.rounds = Objects.requireNonNull(rounds, "rounds");
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }

    /**
     * Starts a new run in the run folder, which holds nothing but its lock: {@code run.json}, the training
     * artifacts, the initial checkpoint from the seed, then the epochs.
     */
    public Result start() throws IOException {
        try {
            RunFiles.writing(run.runJson(), () -> run.writeRecord(new RunRecord(config, provenance,
                    graphs.configuration(), artifacts.manifest().fingerprint(), DatasetSummary.of(data), List.of(),
                    null)));
            CrashPoints.reached("start");
            return fromSeed(false);
        } catch (RunFiles.RunWriteFailedException e) {
            throw writeFailure(e);
        }
    }

    /**
     * Continues the run (its {@code run.json} gave this trainer's settings). Before writing anything it
     * compares the data with the run's record and checks the state against the data; then it removes
     * temporary files left by interrupted writes, and either trains on from the checkpoint, or, when the
     * epochs are all trained but the run's files are not (all) written, writes them from the last checkpoint
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
    public Result resume(RunRecord record, ResumeChecks.CheckedState checked, boolean allowDataChange)
            throws IOException {
        RunState state = checked == null ? null : checked.state();
        if (state != null && state.batchesDone() > 0 && config.epochs() <= state.completedEpochs()) {
            // Exporting would publish the parameters of half an epoch as the model of the whole run.
            throw new IllegalArgumentException("the run stopped in epoch " + (state.completedEpochs() + 1)
                    + "; it cannot end after " + config.epochs() + " epochs");
        }
        if (state != null && trained(state) && !Boolean.FALSE.equals(state.complete())
                && missingFiles(state).isEmpty()) {
            // Nothing to train or write: the data need not be the same, and the folder is left as it is.
            info("run already completed " + state.completedEpochs() + " epochs"
                    + (state.completedEpochs() < config.epochs() ? " (it stopped early)" : ""));
            return new Result(run.path(), state.completedEpochs(), false, last(state.history()));
        }
        DataChange change = dataChange(record, state);
        if (change != null && !allowDataChange) {
            throw new TrainingException("cannot resume: the data changed since this run started (" + change.change()
                    + "); restore the data, or resume anyway with --allow-data-change (it is recorded in "
                    + RunDirectory.RUN_JSON + ")");
        }
        if (state != null) {
            try {
                state.checkAgainst(config.batchSize(), batchesPerEpoch(),
                        change != null || !record.dataChanges().isEmpty());
            } catch (IllegalArgumentException e) {
                throw new TrainingException(run.stateJson() + " is damaged: " + e.getMessage()
                        + " (nothing was changed)");
            }
        }
        // Checked: from here on the run folder is written.
        try {
            List<Path> stale = RunFiles.removeStaleTemporaryFiles(run.path());
            if (!stale.isEmpty()) {
                info("removed " + stale.size() + " temporary file" + (stale.size() == 1 ? "" : "s")
                        + " left by an interrupted write: " + String.join(", ",
                        stale.stream().map(f -> run.path().relativize(f).toString()).toList()));
            }
            if (change != null) {
                RunRecord updated = record.withDataChange(change, DatasetSummary.of(data));
                RunFiles.writing(run.runJson(), () -> run.writeRecord(updated));
                info("the data changed (" + change.change() + "); resuming anyway as --allow-data-change"
                        + " asks; the change is recorded in " + RunDirectory.RUN_JSON);
            }
            if (state == null) {
                info("resuming " + run + ": no epoch was completed yet, starting again from the seed");
                return fromSeed(true);
            }
            // A crash between writing state.json and removing the older checkpoint leaves that one behind.
            Checkpoints.removeCheckpointsBut(run, state.checkpoint());
            if (!checked.verified()) {
                info("note: " + RunDirectory.STATE_JSON + " was written by an earlier toolkit version and records"
                        + " no checkpoint hash; " + checked.checkpoint() + " is used unverified");
            }
            if (trained(state)) {
                List<String> missing = missingFiles(state);
                info("the run's " + state.completedEpochs() + " epochs are trained but "
                        + (missing.isEmpty() ? "its models were not all written" : String.join(", ", missing)
                        + (missing.size() == 1 ? " is" : " are") + " missing") + "; writing them from "
                        + checked.checkpoint() + " without training");
            } else {
                info("resuming " + run + " at epoch " + (state.completedEpochs() + 1)
                        + (state.batchesDone() > 0 ? ", batch " + (state.batchesDone() + 1) : ""));
            }
            return train(state, checked.checkpoint(), true);
        } catch (RunFiles.RunWriteFailedException e) {
            throw writeFailure(e);
        }
    }

    /** The artifacts and the initial checkpoint, then training from it. */
    private Result fromSeed(boolean resumed) throws IOException {
        RunFiles.writing(run.artifacts(), () -> artifacts.writeTo(run.artifacts()));
        Path checkpoint = run.checkpoints().resolve(RunState.INITIAL_CHECKPOINT);
        RunFiles.writing(checkpoint, () -> AtomicFiles.write(checkpoint,
                artifacts.initialCheckpoint(config.seed(), provenance)));
        return train(RunState.initial(), checkpoint, resumed);
    }

    /** The data's change since the record, or null when its fingerprint is the record's. */
    private DataChange dataChange(RunRecord record, RunState state) {
        String before = record.provenance().get(RunRecord.DATASET_FINGERPRINT);
        String now = provenance.get(RunRecord.DATASET_FINGERPRINT);
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

    /** Whether every epoch of the run is trained: all of {@code --epochs}, or up to an early stop. */
    private boolean trained(RunState state) {
        return state.completedEpochs() >= config.epochs()
                || EarlyStopping.stopped(state.history(), config.schedule().earlyStop());
    }

    /** Training steps per epoch with the data and limits of this run. */
    private int batchesPerEpoch() {
        int n = limit(data.train().size(), config.maxTrainImages());
        if (n == 0) {
            throw new TrainingException("dataset " + config.dataset() + " has no training image");
        }
        return (n + config.batchSize() - 1) / config.batchSize();
    }

    /** The files of a finished run that the listeners write and that are not there. */
    private List<String> missingFiles(RunState state) {
        List<String> missing = new ArrayList<>();
        for (TrainingListener l : listeners) {
            missing.addAll(l.missingFiles(run, state, graphs));
        }
        return missing;
    }

    /** The one line for a write that failed: which file, why, and that the run can be finished. */
    private TrainingException writeFailure(RunFiles.RunWriteFailedException e) {
        String next = run.isRun()
                ? "; nothing written before is lost: fix that and continue with ./toolkit train --resume " + run
                : "; fix that and start the run again";
        return new TrainingException(e.getMessage() + next, e);
    }

    /** Trains from {@code start} (its checkpoint {@code checkpoint}) to the last epoch, then finishes the run. */
    private Result train(RunState start, Path checkpoint, boolean resumed) throws IOException {
        try (TrainingSession session = TrainingSession.open(checkpoint, artifacts.trainingModel(),
                artifacts.evalModel(), artifacts.optimizerModel(), sessionConfig)) {
            session.setLearningRate((float) config.learningRate());
            Context context = new Context(session, start);
            try {
                return train(session, context, start, resumed);
            } catch (RunFiles.RunWriteFailedException e) {
                throw writeFailure(e);
            } finally {
                // A session that rounds opened in place of this one.
                context.session.close();
            }
        }
    }

    private Result train(TrainingSession session, Context context, RunState start, boolean resumed)
            throws IOException {
        Feeds feeds = new Feeds(session, artifacts.manifest());
        List<EpochMetrics> history = new ArrayList<>();
        for (EpochMetrics row : start.history()) {
            // Rows of an earlier toolkit version: it had no KL schedule, so the weight was the run's.
            history.add(row.withKlWeightIfAbsent(config.klWeight()));
        }
        DivergenceGuard guard = new DivergenceGuard(start.recentLosses());
        long step = start.step();
        TrainingSchedule schedule = config.schedule();
        KlSchedule klSchedule = schedule.kl();
        LrSchedule lrSchedule = schedule.lr();
        long stepsPerEpoch = batchesPerEpoch();
        long totalSteps = stepsPerEpoch * config.epochs();
        float sessionRate = (float) config.learningRate();
        boolean trainsOn = !trained(start);
        if (trainsOn) {
            RunStarted started = new RunStarted(run.path(), config.architecture(), config.dataset(), config.objective(),
                    config.epochs(), start.completedEpochs() + 1, start.batchesDone() + 1, resumed);
            dispatch(context, start, l -> l.runStarted(started, context));
        }
        RunState state = start;
        // The state the last round returned, until the driver's session needs it (evaluation, a checkpoint):
        // rounds hand it on as bytes, so a session is opened once per epoch, not once per round.
        byte[] roundState = null;
        for (int epoch = start.completedEpochs() + 1; trainsOn && epoch <= config.epochs(); epoch++) {
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
            EpochStarted epochStarted = new EpochStarted(epoch, config.epochs(), batches, n);
            dispatch(context, state, l -> l.epochStarted(epochStarted));
            for (int b = p.batchesDone; b < batches; b++) {
                if (stopRequested.getAsBoolean()) {
                    if (roundState != null) {
                        context.session = reopened(context.session, roundState);
                        roundState = null;
                    }
                    RunState stopped = new RunState(epoch - 1, b, step, RunState.checkpointName(epoch, b), null,
                            p.loss, p.negElbo, p.images, p.trainSeconds, history, guard.recent(), false);
                    Path file = run.checkpoints().resolve(stopped.checkpoint());
                    RunInterrupted interrupted = new RunInterrupted(epoch - 1, b, file);
                    dispatch(context, stopped, l -> l.interrupted(interrupted, context));
                    info("interrupted: checkpoint written to " + file + "; continue with --resume " + run);
                    return new Result(run.path(), epoch - 1, true, last(history));
                }
                CrashPoints.reached("train", epoch, b + 1);
                if (rounds != null) {
                    int roundBatches = Math.min(rounds.batchesPerRound(), batches - b);
                    long roundStart = System.nanoTime();
                    EpochRounds.Round round = rounds.train(roundState != null ? roundState
                            : context.session.checkpointBytes(true), epoch, b, roundBatches, step);
                    roundState = round.checkpoint();
                    // Training time is the round's wall clock (the workers in parallel, the exchange, the
                    // averaging), shared out over its batches: images per second then compare with a local run's.
                    double secondsPerBatch = (System.nanoTime() - roundStart) / 1e9 / round.batches().size();
                    for (EpochRounds.Batch r : round.batches()) {
                        String diverged = guard.check(r.loss());
                        if (diverged != null) {
                            throw diverged(context, state, new RunDiverged(epoch, r.batch() + 1, diverged),
                                    "the loss became " + diverged + " at epoch " + epoch + ", batch " + (r.batch() + 1));
                        }
                        guard.accept(r.loss());
                        step++;
                        p.trainSeconds += secondsPerBatch;
                        p.loss += r.loss() * r.images();
                        p.negElbo += r.negElbo() * r.images();
                        p.images += r.images();
                        p.klWeight = r.klWeight();
                        p.learningRate = r.learningRate();
                        StepDone done = new StepDone(step, epoch, r.batch() + 1, batches, p.images, r.loss(),
                                p.images / Math.max(p.trainSeconds, 1e-9), r.negElbo(), r.recon(), r.kl(),
                                r.klWeight(), r.learningRate());
                        dispatch(context, state, l -> l.stepDone(done));
                    }
                    b += roundBatches - 1; // the loop's b++ moves to the next round's first batch
                    continue;
                }
                int count = Math.min(config.batchSize(), n - b * config.batchSize());
                Tensor x = Tensor.of(source.batch(order, b * config.batchSize(), count), source.shape(count));
                Tensor labels = feeds.takesLabels()
                        ? Tensor.of(source.labels(order, b * config.batchSize(), count), count) : null;
                // Both schedules are functions of the run's step number alone, which state.json records: a
                // resumed run feeds the weights and rates the uninterrupted one did.
                long thisStep = step + 1;
                double klWeight = klSchedule.weight(thisStep, stepsPerEpoch, totalSteps, config.klWeight());
                double rate = lrSchedule.rate(thisStep, stepsPerEpoch, totalSteps, config.learningRate(),
                        schedule.lrWarmupSteps());
                p.klWeight = klWeight;
                p.learningRate = rate;
                if ((float) rate != sessionRate) {
                    session.setLearningRate((float) rate);
                    sessionRate = (float) rate;
                }
                long t0 = System.nanoTime();
                Feeds.StepOutputs out;
                try {
                    session.lazyResetGrad();
                    out = feeds.trainStep(session, x, labels, (float) klWeight,
                            Seeds.stream(config.seed(), Seeds.Purpose.TRAIN_NOISE, epoch, b));
                } catch (OrtException e) {
                    throw outOfMemoryOr(e, "a training step (epoch " + epoch + ", batch " + (b + 1) + ")", count);
                }
                String diverged = guard.check(out.loss());
                if (diverged != null) {
                    throw diverged(context, state, new RunDiverged(epoch, b + 1, diverged),
                            "the loss became " + diverged + " at epoch " + epoch + ", batch " + (b + 1));
                }
                try {
                    session.optimizerStep();
                } catch (OrtException e) {
                    throw outOfMemoryOr(e, "an optimizer step (epoch " + epoch + ", batch " + (b + 1) + ")", count);
                }
                guard.accept(out.loss());
                p.trainSeconds += (System.nanoTime() - t0) / 1e9;
                step++;
                p.loss += out.loss() * count;
                p.negElbo += out.negElbo() * count;
                p.images += count;
                StepDone done = new StepDone(step, epoch, b + 1, batches, p.images, out.loss(),
                        p.images / Math.max(p.trainSeconds, 1e-9), out.negElbo(), out.recon(), out.kl(), klWeight,
                        rate);
                dispatch(context, state, l -> l.stepDone(done));
            }
            if (roundState != null) {
                context.session = reopened(context.session, roundState);
                roundState = null;
            }
            // The test loss uses the weight of the epoch's last step, as the kl_weight column shows it.
            Evaluation test = evaluate(context.session, feeds, epoch, p.klWeight);
            if (!test.finite()) {
                double bad = !Double.isFinite(test.loss()) ? test.loss() : !Double.isFinite(test.negElbo())
                        ? test.negElbo() : !Double.isFinite(test.recon()) ? test.recon() : test.kl();
                throw diverged(context, state, new RunDiverged(epoch, 0, Double.toString(bad)),
                        "the test loss became " + bad + " at epoch " + epoch);
            }
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            EpochMetrics m = EpochMetrics.of(epoch, p.loss / p.images, p.negElbo / p.images, test,
                    p.images / Math.max(p.trainSeconds, 1e-9), seconds, p.learningRate, p.klWeight);
            history.add(m);
            state = new RunState(epoch, 0, step, RunState.epochCheckpointName(epoch), null, 0, 0, 0, 0, history,
                    guard.recent(), false);
            EpochDone epochDone = new EpochDone(config.epochs(), m);
            dispatch(context, state, l -> l.epochDone(epochDone, context));
            if (epoch < config.epochs() && EarlyStopping.stopped(history, schedule.earlyStop())) {
                int best = EarlyStopping.bestEpoch(history);
                info(String.format(java.util.Locale.ROOT, "early stop after epoch %d: no better test negative ELBO"
                        + " for %d epochs; the best is epoch %d (%.2f nats/image), its models are in %s/", epoch,
                        schedule.earlyStop(), best, history.get(best - 1).testNegElbo(), RunDirectory.BEST));
                break;
            }
        }
        CrashPoints.reached("export");
        RunFinished finished = new RunFinished(run.path(), state.completedEpochs(), last(state.history()),
                run.decoder(), run.encoder());
        dispatch(context, state, l -> l.runFinished(finished, context));
        return new Result(run.path(), state.completedEpochs(), false, last(state.history()));
    }

    /** A session over {@code checkpoint} in place of {@code old}, which is closed. */
    private TrainingSession reopened(TrainingSession old, byte[] checkpoint) {
        TrainingSession next = TrainingSession.openFromBytes(checkpoint, artifacts.trainingModel(),
                artifacts.evalModel(), artifacts.optimizerModel(), sessionConfig);
        old.close();
        return next;
    }

    /** Announces a divergence and returns the failure that stops the run. */
    private TrainingException diverged(Context context, RunState state, RunDiverged event, String what)
            throws IOException {
        dispatch(context, state, l -> l.diverged(event));
        return new TrainingException(what + "; the last good checkpoint is kept in " + run.checkpoints()
                + " (start a new run with a lower --lr, or check the data)");
    }

    private static EpochMetrics last(List<EpochMetrics> history) {
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }

    /** Mean loss, negative ELBO, recon and KL over the test split. */
    private Evaluation evaluate(TrainingSession session, Feeds feeds, int epoch, double klWeight) {
        ImageSplit test = data.test();
        int n = limit(test.size(), config.maxTestImages());
        Batches source = new Batches(test);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double loss = 0;
        double negElbo = 0;
        double recon = 0;
        double kl = 0;
        int batch = Math.max(config.batchSize(), 256);
        for (int from = 0, b = 0; from < n; from += batch, b++) {
            int count = Math.min(batch, n - from);
            Tensor x = Tensor.of(source.batch(order, from, count), source.shape(count));
            Tensor labels = feeds.takesLabels() ? Tensor.of(source.labels(order, from, count), count) : null;
            Evaluation e;
            try {
                e = feeds.evalStep(session, x, labels, (float) klWeight,
                        Seeds.stream(config.seed(), Seeds.Purpose.EVAL_NOISE, epoch, b));
            } catch (OrtException ex) {
                throw outOfMemoryOr(ex, "evaluation (epoch " + epoch + ")", count);
            }
            loss += e.loss() * count;
            recon += e.recon() * count;
            kl += e.kl() * count;
            negElbo += e.negElbo() * count;
            if (b == 0) {
                CrashPoints.reached("evaluate", epoch);
            }
        }
        return new Evaluation(loss / n, negElbo / n, recon / n, kl / n);
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
        return new TrainingException(OutOfMemory.advice(device, during, batchSize, "--batch-size", e), e);
    }

    private void info(String message) {
        for (TrainingListener l : listeners) {
            l.info(message);
        }
    }

    /** One listener call, which may write files. */
    @FunctionalInterface
    private interface Call {
        void on(TrainingListener listener) throws IOException;
    }

    /**
     * Delivers an event to every listener in order with {@code state} as the context's state, then the
     * events the listeners announced while handling it.
     */
    private void dispatch(Context context, RunState state, Call call) throws IOException {
        context.state = state;
        for (TrainingListener l : listeners) {
            call.on(l);
        }
        while (!context.announced.isEmpty()) {
            org.onnxtoolkit.api.events.TrainingEvent event = context.announced.remove(0);
            if (event instanceof org.onnxtoolkit.api.events.CheckpointWritten written) {
                for (TrainingListener l : listeners) {
                    l.checkpointWritten(written);
                }
            } else {
                throw new IllegalStateException("a listener announced " + event.getClass().getSimpleName()
                        + "; only CheckpointWritten may be announced");
            }
        }
    }

    private static int limit(int size, int max) {
        return max > 0 ? Math.min(size, max) : size;
    }

    /** What the listeners of this trainer see of the run; one per session. */
    private final class Context implements TrainingContext {
        /** Replaced after each round of {@link EpochRounds}. */
        private TrainingSession session;
        private final List<org.onnxtoolkit.api.events.TrainingEvent> announced = new ArrayList<>();
        private RunState state;

        Context(TrainingSession session, RunState state) {
            this.session = session;
            this.state = state;
        }

        @Override
        public RunDirectory run() {
            return run;
        }

        @Override
        public RunConfig config() {
            return config;
        }

        @Override
        public ModelGraphs graphs() {
            return graphs;
        }

        @Override
        public Map<String, String> provenance() {
            return provenance;
        }

        @Override
        public ImageSplit testImages() {
            return data.test();
        }

        @Override
        public RunState state() {
            return state;
        }

        @Override
        public Map<String, float[]> parameters(Collection<Value> parameters) {
            Map<String, float[]> values = new LinkedHashMap<>();
            for (Value p : parameters) {
                values.put(p.name(), session.parameter(p.name()).toFloatArray());
            }
            return values;
        }

        @Override
        public void saveCheckpoint(Path file) throws IOException {
            session.saveCheckpoint(file, true);
        }

        @Override
        public void announce(org.onnxtoolkit.api.events.TrainingEvent event) {
            announced.add(Objects.requireNonNull(event, "event"));
        }
    }

    /** Mutable accumulators of the epoch in progress. */
    private static final class EpochProgress {
        final int batchesDone;
        double loss;
        double negElbo;
        long images;
        double trainSeconds;
        /** The KL weight and learning rate of the epoch's last step so far. */
        double klWeight;
        double learningRate;

        EpochProgress(int batchesDone, double loss, double negElbo, long images, double trainSeconds) {
            this.batchesDone = batchesDone;
            this.loss = loss;
            this.negElbo = negElbo;
            this.images = images;
            this.trainSeconds = trainSeconds;
        }
    }
}
