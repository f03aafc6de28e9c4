package org.onnxtoolkit.engine.ort;

import static org.bytedeco.onnxruntime.global.onnxruntime.OrtFloatProperty;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtIntProperty;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtStringProperty;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.onnxruntime.OrtAllocator;
import org.bytedeco.onnxruntime.OrtCheckpointState;
import org.bytedeco.onnxruntime.OrtSessionOptions;
import org.bytedeco.onnxruntime.OrtStatus;
import org.bytedeco.onnxruntime.OrtTrainingApi;
import org.bytedeco.onnxruntime.OrtTrainingSession;
import org.bytedeco.onnxruntime.OrtValue;
import org.onnxtoolkit.compiler.io.AtomicFiles;

/**
 * One ONNX Runtime training session: a checkpoint state (the parameters and optimizer moments), a training
 * model, an optional eval model and an optional optimizer model, driven through ORT's training C API.
 *
 * <p>A typical loop is {@code lazyResetGrad(); trainStep(batch); optimizerStep();}. For k-step gradient
 * accumulation call {@link #lazyResetGrad()} only every k steps: the first {@link #trainStep} after it
 * overwrites the gradient buffers, later ones add to them.
 *
 * <p><b>Ownership.</b> This object is the one owner of three native resources: the checkpoint state, the
 * session options and the training session, plus native copies of model buffers that ORT may refer to. They
 * are released by {@link #close()} in the order ORT requires: training session, then checkpoint state, then
 * session options. Every tensor crossing the boundary is copied: {@link Tensor} arguments are copied into
 * ORT values that are released before the method returns, and results are copied into new
 * {@link Tensor}s, so callers never hold native memory.
 *
 * <p><b>Not thread-safe.</b> Use one session from one thread at a time; ORT's training session is not safe for
 * concurrent calls either.
 *
 * <p><b>Learning rate.</b> The current learning rate is not stored in checkpoints. A new session starts at
 * ORT's default (0.001) even when opened from a checkpoint saved after {@link #setLearningRate}: call
 * {@link #setLearningRate} after every open.
 *
 * <p>Every public instance method throws {@link IllegalStateException} ("TrainingSession is closed") after
 * {@link #close()}; {@code close()} itself may be called any number of times.
 */
public final class TrainingSession implements AutoCloseable {

    private final Ort ort;
    private final OrtTrainingApi tapi;
    private final OrtSessionOptions options;
    private final OrtCheckpointState state;
    private final OrtTrainingSession session;
    private final List<BytePointer> modelBuffers;
    private final boolean hasEvalModel;
    private final boolean hasOptimizerModel;
    private final List<String> trainingInputNames;
    private final List<String> trainingOutputNames;
    private final List<String> evalInputNames;
    private final List<String> evalOutputNames;
    private boolean closed;

    private TrainingSession(Ort ort, Handles h, boolean hasEvalModel, boolean hasOptimizerModel, Names names) {
        this.ort = ort;
        this.tapi = ort.trainingApi();
        this.options = h.options;
        this.state = h.state;
        this.session = h.session;
        this.modelBuffers = List.copyOf(h.buffers);
        this.hasEvalModel = hasEvalModel;
        this.hasOptimizerModel = hasOptimizerModel;
        this.trainingInputNames = names.trainingInputs;
        this.trainingOutputNames = names.trainingOutputs;
        this.evalInputNames = names.evalInputs;
        this.evalOutputNames = names.evalOutputs;
    }

    // ------------------------------------------------------------------------------------------------------
    // Opening

    /**
     * Opens a session from a checkpoint file and in-memory models.
     *
     * @param checkpoint an ORT training checkpoint file (flatbuffer "ODTC", version 2)
     * @param trainingModel the serialized training model ({@code ModelProto} bytes); copied
     * @param evalModel the serialized eval model, or null for none (then {@link #evalStep} and
     *     {@link #exportModelForInferencing} are unavailable); copied
     * @param optimizerModel the serialized optimizer model, or null for none (then {@link #optimizerStep} and
     *     the learning-rate methods are unavailable); copied
     * @param config device and threads
     * @return the open session; close it
     * @throws OrtException if ORT cannot load the checkpoint or the models
     * @throws IllegalStateException if the configured device is unavailable (e.g. CUDA on CPU-only natives)
     */
    public static TrainingSession open(Path checkpoint, byte[] trainingModel, byte[] evalModel,
            byte[] optimizerModel, SessionConfig config) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        return openBuffers(config, loadCheckpointFile(checkpoint), trainingModel, evalModel, optimizerModel);
    }

    /**
     * Opens a session from an in-memory checkpoint and in-memory models, e.g. the output of
     * {@code CheckpointWriter}.
     *
     * @param checkpoint the checkpoint file's bytes; copied
     * @param trainingModel the serialized training model; copied
     * @param evalModel the serialized eval model, or null for none; copied
     * @param optimizerModel the serialized optimizer model, or null for none; copied
     * @param config device and threads
     * @return the open session; close it
     * @throws OrtException if ORT cannot load the checkpoint or the models
     * @throws IllegalStateException if the configured device is unavailable
     */
    public static TrainingSession openFromBytes(byte[] checkpoint, byte[] trainingModel, byte[] evalModel,
            byte[] optimizerModel, SessionConfig config) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        CheckpointLoader loader = (o, st) -> {
            try (BytePointer bytes = new BytePointer(checkpoint)) {
                o.check(o.trainingApi().LoadCheckpointFromBuffer(bytes, checkpoint.length, st),
                        () -> "LoadCheckpointFromBuffer(" + checkpoint.length + " bytes)");
            }
        };
        return openBuffers(config, loader, trainingModel, evalModel, optimizerModel);
    }

    /**
     * Opens a session from files.
     *
     * @param checkpoint an ORT training checkpoint file
     * @param trainingModel the training model file
     * @param evalModel the eval model file, or null for none. ORT re-reads it in
     *     {@link #exportModelForInferencing}, so it must stay in place while the session is open
     * @param optimizerModel the optimizer model file, or null for none
     * @param config device and threads
     * @return the open session; close it
     * @throws OrtException if ORT cannot load a file (code 3, NO_SUCHFILE, for a missing model)
     * @throws IllegalStateException if the configured device is unavailable
     */
    public static TrainingSession openFiles(Path checkpoint, Path trainingModel, Path evalModel,
            Path optimizerModel, SessionConfig config) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(trainingModel, "trainingModel");
        Objects.requireNonNull(config, "config");
        SessionCreator creator = (o, h) -> {
            try (BytePointer train = nativePath(trainingModel);
                    BytePointer eval = evalModel == null ? null : nativePath(evalModel);
                    BytePointer optim = optimizerModel == null ? null : nativePath(optimizerModel)) {
                o.check(o.trainingApi().CreateTrainingSession(o.env(), h.options, h.state, train, eval, optim,
                        h.session), () -> "CreateTrainingSession(training " + trainingModel + ", eval " + evalModel
                        + ", optimizer " + optimizerModel + ")");
            }
        };
        return create(config, loadCheckpointFile(checkpoint), creator, evalModel != null, optimizerModel != null);
    }

    private static CheckpointLoader loadCheckpointFile(Path checkpoint) {
        return (o, st) -> {
            try (BytePointer path = nativePath(checkpoint)) {
                o.check(o.trainingApi().LoadCheckpoint(path, st), () -> "LoadCheckpoint(" + checkpoint + ")");
            }
        };
    }

    private static TrainingSession openBuffers(SessionConfig config, CheckpointLoader loader, byte[] trainingModel,
            byte[] evalModel, byte[] optimizerModel) {
        Objects.requireNonNull(trainingModel, "trainingModel");
        Objects.requireNonNull(config, "config");
        SessionCreator creator = (o, h) -> {
            // ORT may keep spans into these buffers (newer versions re-read the eval model from them on
            // export), so they live as long as the session and are freed in close().
            BytePointer train = keep(h, trainingModel);
            BytePointer eval = evalModel == null ? null : keep(h, evalModel);
            BytePointer optim = optimizerModel == null ? null : keep(h, optimizerModel);
            o.check(o.trainingApi().CreateTrainingSessionFromBuffer(o.env(), h.options, h.state,
                    train, trainingModel.length, eval, evalModel == null ? 0 : evalModel.length,
                    optim, optimizerModel == null ? 0 : optimizerModel.length, h.session),
                    () -> "CreateTrainingSessionFromBuffer(training " + trainingModel.length + " bytes, eval "
                            + (evalModel == null ? "none" : evalModel.length + " bytes") + ", optimizer "
                            + (optimizerModel == null ? "none" : optimizerModel.length + " bytes") + ")");
        };
        return create(config, loader, creator, evalModel != null, optimizerModel != null);
    }

    private static BytePointer keep(Handles h, byte[] bytes) {
        BytePointer p = new BytePointer(bytes);
        h.buffers.add(p);
        return p;
    }

    private static TrainingSession create(SessionConfig config, CheckpointLoader loader, SessionCreator creator,
            boolean hasEval, boolean hasOptimizer) {
        Ort ort = Ort.get();
        Handles h = new Handles();
        try {
            h.options = SessionOptions.create(ort, config);
            h.state = new OrtCheckpointState();
            loader.load(ort, h.state);
            h.session = new OrtTrainingSession();
            creator.create(ort, h);
            Names names = readNames(ort, h.session, hasEval);
            return new TrainingSession(ort, h, hasEval, hasOptimizer, names);
        } catch (RuntimeException e) {
            h.release(ort);
            throw e;
        }
    }

    /** Native handles collected while opening, released in ORT's order if opening fails. */
    private static final class Handles {
        OrtSessionOptions options;
        OrtCheckpointState state;
        OrtTrainingSession session;
        final List<BytePointer> buffers = new ArrayList<>();

        void release(Ort ort) {
            if (session != null && !session.isNull()) {
                ort.trainingApi().ReleaseTrainingSession(session);
            }
            if (state != null && !state.isNull()) {
                ort.trainingApi().ReleaseCheckpointState(state);
            }
            if (options != null && !options.isNull()) {
                ort.api().ReleaseSessionOptions(options);
            }
            buffers.forEach(Pointer::close);
        }
    }

    @FunctionalInterface
    private interface CheckpointLoader {
        void load(Ort ort, OrtCheckpointState out);
    }

    @FunctionalInterface
    private interface SessionCreator {
        void create(Ort ort, Handles handles);
    }

    private record Names(List<String> trainingInputs, List<String> trainingOutputs, List<String> evalInputs,
            List<String> evalOutputs) {}

    @FunctionalInterface
    private interface CountCall {
        OrtStatus call(OrtTrainingSession session, SizeTPointer out);
    }

    @FunctionalInterface
    private interface NameCall {
        OrtStatus call(OrtTrainingSession session, long index, OrtAllocator allocator, PointerPointer<?> out);
    }

    private static Names readNames(Ort ort, OrtTrainingSession s, boolean hasEval) {
        OrtTrainingApi t = ort.trainingApi();
        List<String> trainIn = readNames(ort, s, "training model input", t::TrainingSessionGetTrainingModelInputCount,
                t::TrainingSessionGetTrainingModelInputName);
        List<String> trainOut = readNames(ort, s, "training model output",
                t::TrainingSessionGetTrainingModelOutputCount, t::TrainingSessionGetTrainingModelOutputName);
        List<String> evalIn = List.of();
        List<String> evalOut = List.of();
        if (hasEval) {
            evalIn = readNames(ort, s, "eval model input", t::TrainingSessionGetEvalModelInputCount,
                    t::TrainingSessionGetEvalModelInputName);
            evalOut = readNames(ort, s, "eval model output", t::TrainingSessionGetEvalModelOutputCount,
                    t::TrainingSessionGetEvalModelOutputName);
        }
        return new Names(trainIn, trainOut, evalIn, evalOut);
    }

    private static List<String> readNames(Ort ort, OrtTrainingSession s, String what, CountCall count,
            NameCall name) {
        long n;
        try (SizeTPointer out = new SizeTPointer(1)) {
            ort.check(count.call(s, out), () -> "get the " + what + " count");
            n = out.get();
        }
        List<String> names = new ArrayList<>();
        try (PointerPointer<?> out = new PointerPointer<>(1)) {
            for (long i = 0; i < n; i++) {
                long index = i;
                out.put(0, (Pointer) null);
                ort.check(name.call(s, i, ort.allocator(), out), () -> "get " + what + " name " + index);
                names.add(takeAllocatorString(ort, out.get(0)));
            }
        }
        return List.copyOf(names);
    }

    /** Copies a string ORT allocated with the default allocator, then frees it with that allocator. */
    static String takeAllocatorString(Ort ort, Pointer p) {
        if (p == null || p.isNull()) {
            return "";
        }
        try {
            return new BytePointer(p).getString(StandardCharsets.UTF_8);
        } finally {
            ort.check(ort.api().AllocatorFree(ort.allocator(), p), () -> "AllocatorFree");
        }
    }

    static BytePointer nativePath(Path path) {
        return new BytePointer(path.toString(), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------------------
    // Names

    /** @return the training model's user inputs in the order {@link #trainStep} takes them */
    public List<String> trainingInputNames() {
        checkClosed();
        return trainingInputNames;
    }

    /** @return the training model's user outputs (gradient flags excluded) in the order {@link #trainStep}
     *     returns them */
    public List<String> trainingOutputNames() {
        checkClosed();
        return trainingOutputNames;
    }

    /** @return the eval model's user inputs in the order {@link #evalStep} takes them; empty without an eval
     *     model */
    public List<String> evalInputNames() {
        checkClosed();
        return evalInputNames;
    }

    /** @return the eval model's outputs in the order {@link #evalStep} returns them; empty without an eval
     *     model */
    public List<String> evalOutputNames() {
        checkClosed();
        return evalOutputNames;
    }

    /** @return whether an eval model was given */
    public boolean hasEvalModel() {
        checkClosed();
        return hasEvalModel;
    }

    /** @return whether an optimizer model was given */
    public boolean hasOptimizerModel() {
        checkClosed();
        return hasOptimizerModel;
    }

    // ------------------------------------------------------------------------------------------------------
    // Steps

    /**
     * Runs the training model once: forward, loss and backward. Gradients go into ORT's gradient buffers,
     * overwriting them on the first call after {@link #lazyResetGrad()} (or after opening) and adding to them
     * afterwards.
     *
     * @param userInputs one tensor per {@link #trainingInputNames()}, in that order, with the shapes the model
     *     declares
     * @return one tensor per {@link #trainingOutputNames()}, in that order (e.g. the scalar loss first)
     * @throws IllegalArgumentException if the number of inputs is wrong
     * @throws OrtException if ORT rejects an input (e.g. a wrong shape) or the run fails
     */
    public List<Tensor> trainStep(List<Tensor> userInputs) {
        checkClosed();
        checkInputs("TrainStep", userInputs, trainingInputNames);
        return run(userInputs, trainingInputNames, trainingOutputNames, "TrainStep",
                (in, nOut, out) -> tapi.TrainStep(session, null, userInputs.size(), in, nOut, out));
    }

    /**
     * Runs the eval model once with the current parameters. Does not touch gradients.
     *
     * @param userInputs one tensor per {@link #evalInputNames()}, in that order
     * @return one tensor per {@link #evalOutputNames()}, in that order
     * @throws IllegalStateException if the session has no eval model
     * @throws IllegalArgumentException if the number of inputs is wrong
     * @throws OrtException if ORT rejects an input or the run fails
     */
    public List<Tensor> evalStep(List<Tensor> userInputs) {
        checkClosed();
        requireEval("evalStep");
        checkInputs("EvalStep", userInputs, evalInputNames);
        return run(userInputs, evalInputNames, evalOutputNames, "EvalStep",
                (in, nOut, out) -> tapi.EvalStep(session, null, userInputs.size(), in, nOut, out));
    }

    @FunctionalInterface
    private interface StepCall {
        OrtStatus call(PointerPointer<?> inputs, long outputCount, PointerPointer<?> outputs);
    }

    private List<Tensor> run(List<Tensor> inputs, List<String> inputNames, List<String> outputNames, String verb,
            StepCall call) {
        int nIn = inputs.size();
        int nOut = outputNames.size();
        Supplier<String> context = () -> verb + " with inputs " + describeInputs(inputNames, inputs);
        List<OrtValue> created = new ArrayList<>(nIn);
        try (PointerPointer<?> in = new PointerPointer<>(Math.max(1, nIn));
                PointerPointer<OrtValue> out = new PointerPointer<>(Math.max(1, nOut))) {
            // Null output slots tell ORT to allocate; new PointerPointer memory is not guaranteed to be zero.
            out.zero();
            try {
                for (int i = 0; i < nIn; i++) {
                    OrtValue v = OrtValues.create(ort, inputs.get(i));
                    created.add(v);
                    in.put(i, v);
                }
                ort.check(call.call(in, nOut, out), context);
                List<Tensor> results = new ArrayList<>(nOut);
                for (int i = 0; i < nOut; i++) {
                    String name = outputNames.get(i);
                    results.add(OrtValues.read(ort, out.get(OrtValue.class, i), () -> verb + " output '" + name + "'"));
                }
                return List.copyOf(results);
            } finally {
                OrtValues.releaseAll(ort, out, nOut);
                OrtValues.releaseAll(ort, created);
            }
        }
    }

    private static void checkInputs(String verb, List<Tensor> inputs, List<String> names) {
        Objects.requireNonNull(inputs, "userInputs");
        if (inputs.size() != names.size()) {
            throw new IllegalArgumentException(verb + " expected " + names.size() + " inputs " + names + " but got "
                    + inputs.size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i) == null) {
                throw new IllegalArgumentException(verb + " input " + i + " ('" + names.get(i) + "') is null");
            }
        }
    }

    private static String describeInputs(List<String> names, List<Tensor> inputs) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < inputs.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(i < names.size() ? names.get(i) : "#" + i).append(": ").append(OrtValues.describe(inputs.get(i)));
        }
        return sb.append(']').toString();
    }

    /**
     * Applies the optimizer once, using the accumulated gradients, and advances the optimizer step count.
     *
     * @throws IllegalStateException if the session has no optimizer model
     * @throws OrtException if the optimizer run fails
     */
    public void optimizerStep() {
        checkClosed();
        requireOptimizer("optimizerStep");
        ort.check(tapi.OptimizerStep(session, null), () -> "OptimizerStep");
    }

    /**
     * Marks the gradients for reset: the next {@link #trainStep} overwrites the gradient buffers instead of
     * adding to them. Cheap; no memory is touched until that step.
     *
     * @throws OrtException if ORT fails
     */
    public void lazyResetGrad() {
        checkClosed();
        ort.check(tapi.LazyResetGrad(session), () -> "LazyResetGrad");
    }

    /**
     * Sets the learning rate the optimizer uses from the next {@link #optimizerStep()}. Not persisted in
     * checkpoints: set it again after reopening.
     *
     * @param learningRate a finite value {@code >= 0}
     * @throws IllegalArgumentException if the value is negative or not finite
     * @throws IllegalStateException if the session has no optimizer model
     */
    public void setLearningRate(float learningRate) {
        checkClosed();
        requireOptimizer("setLearningRate");
        if (!(learningRate >= 0f) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0 but was " + learningRate);
        }
        ort.check(tapi.SetLearningRate(session, learningRate), () -> "SetLearningRate(" + learningRate + ")");
    }

    /**
     * @return the learning rate the next {@link #optimizerStep()} uses (0.001 right after opening)
     * @throws IllegalStateException if the session has no optimizer model
     */
    public float learningRate() {
        checkClosed();
        requireOptimizer("learningRate");
        float[] lr = new float[1];
        ort.check(tapi.GetLearningRate(session, lr), () -> "GetLearningRate");
        return lr[0];
    }

    /**
     * Registers ORT's linear learning-rate scheduler: linear warm-up from 0 to {@code initialLearningRate}
     * over {@code warmupSteps}, then linear decay to 0 at {@code totalSteps}. It is driven by the optimizer
     * step count, so call {@link #schedulerStep()} after each {@link #optimizerStep()}. Sets the learning rate
     * to {@code initialLearningRate} now.
     *
     * @param warmupSteps warm-up length in optimizer steps, {@code >= 0}
     * @param totalSteps total schedule length in optimizer steps, {@code >= warmupSteps}
     * @param initialLearningRate the peak learning rate
     * @throws IllegalStateException if the session has no optimizer model
     */
    public void registerLinearLrScheduler(long warmupSteps, long totalSteps, float initialLearningRate) {
        checkClosed();
        requireOptimizer("registerLinearLrScheduler");
        if (warmupSteps < 0 || totalSteps < warmupSteps) {
            throw new IllegalArgumentException("need 0 <= warmupSteps <= totalSteps but got warmupSteps="
                    + warmupSteps + ", totalSteps=" + totalSteps);
        }
        ort.check(tapi.RegisterLinearLRScheduler(session, warmupSteps, totalSteps, initialLearningRate),
                () -> "RegisterLinearLRScheduler(" + warmupSteps + ", " + totalSteps + ", " + initialLearningRate + ")");
    }

    /**
     * Advances the registered scheduler: sets the learning rate for the current optimizer step count.
     *
     * @throws OrtException if no scheduler was registered
     */
    public void schedulerStep() {
        checkClosed();
        requireOptimizer("schedulerStep");
        ort.check(tapi.SchedulerStep(session), () -> "SchedulerStep");
    }

    // ------------------------------------------------------------------------------------------------------
    // Checkpoints and export

    /**
     * Saves the current state as an ORT checkpoint. ORT writes to a temporary file in the same directory,
     * which is flushed to disk and then atomically renamed over {@code path}, so {@code path} never holds a
     * half-written checkpoint. Parameters are written sorted by name; properties are kept.
     *
     * @param path the checkpoint file; missing parent directories are created
     * @param includeOptimizerState whether to save the optimizer moments and step count (needed to continue
     *     training bit-identically; the learning rate is never saved)
     * @throws IOException if the file cannot be written or moved
     * @throws OrtException if ORT cannot serialize the state
     */
    public void saveCheckpoint(Path path, boolean includeOptimizerState) throws IOException {
        checkClosed();
        AtomicFiles.writeVia(path, tmp -> {
            try (BytePointer p = nativePath(tmp)) {
                ort.check(tapi.SaveCheckpoint(state, p, includeOptimizerState),
                        () -> "SaveCheckpoint(" + path + ", includeOptimizerState=" + includeOptimizerState + ")");
            }
        });
    }

    /**
     * Writes an inference model: the eval model reduced to the nodes {@code outputNames} need, with every
     * parameter turned into an initializer holding its current value. Written atomically like
     * {@link #saveCheckpoint}.
     *
     * <p>ORT's exported model lists every opset domain it knows in its opset imports (see the artifacts spec).
     *
     * @param path the output model file; missing parent directories are created
     * @param outputNames eval model outputs to keep, in the order the exported graph lists them; not empty
     * @throws IllegalStateException if the session has no eval model
     * @throws IOException if the file cannot be written or moved
     * @throws OrtException if ORT rejects an output name or cannot export
     */
    public void exportModelForInferencing(Path path, List<String> outputNames) throws IOException {
        checkClosed();
        requireEval("exportModelForInferencing");
        List<String> names = List.copyOf(outputNames);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("exportModelForInferencing needs at least one output name; "
                    + "eval outputs are " + evalOutputNames);
        }
        AtomicFiles.writeVia(path, tmp -> {
            List<BytePointer> strings = new ArrayList<>();
            try (BytePointer p = nativePath(tmp); PointerPointer<BytePointer> pp = new PointerPointer<>(names.size())) {
                for (int i = 0; i < names.size(); i++) {
                    BytePointer s = new BytePointer(names.get(i), StandardCharsets.UTF_8);
                    strings.add(s);
                    pp.put(i, s);
                }
                ort.check(tapi.ExportModelForInferencing(session, p, names.size(), pp),
                        () -> "ExportModelForInferencing(" + path + ", outputs " + names + ")");
            } finally {
                strings.forEach(Pointer::close);
            }
        });
    }

    // ------------------------------------------------------------------------------------------------------
    // Parameters

    /**
     * Copies one parameter out of the checkpoint state.
     *
     * @param name the parameter name (a checkpoint tensor name)
     * @return a copy with the parameter's shape
     * @throws OrtException if there is no such parameter
     */
    public Tensor parameter(String name) {
        checkClosed();
        Objects.requireNonNull(name, "name");
        OrtValue value = new OrtValue();
        try (BytePointer n = new BytePointer(name, StandardCharsets.UTF_8)) {
            ort.check(tapi.GetParameter(state, n, ort.allocator(), value), () -> "GetParameter('" + name + "')");
        }
        try {
            return OrtValues.read(ort, value, () -> "parameter '" + name + "'");
        } finally {
            OrtValues.release(ort, value);
        }
    }

    /**
     * Replaces one parameter's values.
     *
     * @param name the parameter name
     * @param value the new values, with exactly the parameter's shape
     * @throws OrtException if there is no such parameter or the shape differs
     */
    public void updateParameter(String name, Tensor value) {
        checkClosed();
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        OrtValue v = OrtValues.create(ort, value);
        try (BytePointer n = new BytePointer(name, StandardCharsets.UTF_8)) {
            ort.check(tapi.UpdateParameter(state, n, v),
                    () -> "UpdateParameter('" + name + "', " + OrtValues.describe(value) + ")");
        } finally {
            OrtValues.release(ort, v);
        }
    }

    /**
     * @param trainableOnly count only trainable parameters
     * @return the total number of float elements over the parameters
     */
    public long parametersSize(boolean trainableOnly) {
        checkClosed();
        try (SizeTPointer out = new SizeTPointer(1)) {
            ort.check(tapi.GetParametersSize(session, out, trainableOnly),
                    () -> "GetParametersSize(trainableOnly=" + trainableOnly + ")");
            return out.get();
        }
    }

    /**
     * Copies all parameters into one flat array: the concatenation of the parameters, each row-major, in
     * training-model input order (not name order).
     *
     * @param trainableOnly copy only trainable parameters
     * @return an array of {@link #parametersSize(boolean)} floats
     */
    public float[] copyParametersToBuffer(boolean trainableOnly) {
        checkClosed();
        int n = Math.toIntExact(parametersSize(trainableOnly));
        OrtValue buffer = OrtValues.create(ort, new float[n], new long[] {n});
        try {
            ort.check(tapi.CopyParametersToBuffer(session, buffer, trainableOnly),
                    () -> "CopyParametersToBuffer(" + n + " floats, trainableOnly=" + trainableOnly + ")");
            return OrtValues.read(ort, buffer, () -> "parameter buffer").data();
        } finally {
            OrtValues.release(ort, buffer);
        }
    }

    /**
     * Overwrites all parameters from one flat array in the layout of {@link #copyParametersToBuffer}.
     *
     * @param buffer exactly {@link #parametersSize(boolean)} floats
     * @param trainableOnly whether the buffer holds only the trainable parameters
     * @throws IllegalArgumentException if the buffer length is wrong
     */
    public void copyBufferToParameters(float[] buffer, boolean trainableOnly) {
        checkClosed();
        Objects.requireNonNull(buffer, "buffer");
        long n = parametersSize(trainableOnly);
        if (buffer.length != n) {
            throw new IllegalArgumentException("copyBufferToParameters expected " + n + " floats (trainableOnly="
                    + trainableOnly + ") but got " + buffer.length);
        }
        OrtValue value = OrtValues.create(ort, buffer, new long[] {n});
        try {
            ort.check(tapi.CopyBufferToParameters(session, value, trainableOnly),
                    () -> "CopyBufferToParameters(" + n + " floats, trainableOnly=" + trainableOnly + ")");
        } finally {
            OrtValues.release(ort, value);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Checkpoint properties

    /**
     * Adds or replaces an int64 property in the checkpoint state (saved by {@link #saveCheckpoint}).
     *
     * @param name the property name
     * @param value the value
     */
    public void addProperty(String name, long value) {
        checkClosed();
        try (LongPointer v = new LongPointer(1)) {
            v.put(value);
            addProperty(name, OrtIntProperty, v, Long.toString(value));
        }
    }

    /**
     * Adds or replaces a float property in the checkpoint state.
     *
     * @param name the property name
     * @param value the value
     */
    public void addProperty(String name, float value) {
        checkClosed();
        try (FloatPointer v = new FloatPointer(1)) {
            v.put(value);
            addProperty(name, OrtFloatProperty, v, Float.toString(value));
        }
    }

    /**
     * Adds or replaces a string property in the checkpoint state.
     *
     * @param name the property name
     * @param value the value, stored as UTF-8
     */
    public void addProperty(String name, String value) {
        checkClosed();
        Objects.requireNonNull(value, "value");
        try (BytePointer v = new BytePointer(value, StandardCharsets.UTF_8)) {
            addProperty(name, OrtStringProperty, v, '"' + value + '"');
        }
    }

    private void addProperty(String name, int type, Pointer value, String shown) {
        Objects.requireNonNull(name, "name");
        try (BytePointer n = new BytePointer(name, StandardCharsets.UTF_8)) {
            ort.check(tapi.AddProperty(state, n, type, value), () -> "AddProperty('" + name + "', " + shown + ")");
        }
    }

    /**
     * @param name the property name
     * @return the int64 property, or empty if there is no property with that name
     * @throws IllegalStateException if the property exists with another type
     */
    public Optional<Long> longProperty(String name) {
        checkClosed();
        return property(name, OrtIntProperty, Long.class);
    }

    /**
     * @param name the property name
     * @return the float property, or empty if there is no property with that name
     * @throws IllegalStateException if the property exists with another type
     */
    public Optional<Float> floatProperty(String name) {
        checkClosed();
        return property(name, OrtFloatProperty, Float.class);
    }

    /**
     * @param name the property name
     * @return the string property, or empty if there is no property with that name
     * @throws IllegalStateException if the property exists with another type
     */
    public Optional<String> stringProperty(String name) {
        checkClosed();
        return property(name, OrtStringProperty, String.class);
    }

    private <T> Optional<T> property(String name, int wantedType, Class<T> javaType) {
        Objects.requireNonNull(name, "name");
        int type;
        Object value;
        try (BytePointer n = new BytePointer(name, StandardCharsets.UTF_8);
                IntPointer typeOut = new IntPointer(1);
                PointerPointer<?> valueOut = new PointerPointer<>(1)) {
            valueOut.put(0, (Pointer) null);
            OrtStatus status = tapi.GetProperty(state, n, ort.allocator(), typeOut, valueOut);
            if (status != null && !status.isNull()) {
                String message = ort.api().GetErrorMessage().call(status).getString(StandardCharsets.UTF_8);
                if (isUnknownProperty(message)) {
                    ort.api().ReleaseStatus(status);
                    return Optional.empty();
                }
                ort.check(status, () -> "GetProperty('" + name + "')");
            }
            type = typeOut.get();
            Pointer raw = valueOut.get(0);
            try {
                value = switch (type) {
                    case 0 -> new LongPointer(raw).get();
                    case 1 -> new FloatPointer(raw).get();
                    case 2 -> new BytePointer(raw).getString(StandardCharsets.UTF_8);
                    default -> null;
                };
            } finally {
                if (raw != null && !raw.isNull()) {
                    ort.check(ort.api().AllocatorFree(ort.allocator(), raw), () -> "AllocatorFree");
                }
            }
        }
        if (type != wantedType || value == null) {
            throw new IllegalStateException("checkpoint property '" + name + "' has type " + propertyTypeName(type)
                    + " but was requested as " + propertyTypeName(wantedType));
        }
        return Optional.of(javaType.cast(value));
    }

    /** ORT reports an unknown property name as an error; this recognizes that message. */
    private static boolean isUnknownProperty(String message) {
        return message != null && message.contains("No property named");
    }

    private static String propertyTypeName(int type) {
        return switch (type) {
            case 0 -> "int64";
            case 1 -> "float";
            case 2 -> "string";
            default -> "type-" + type;
        };
    }

    // ------------------------------------------------------------------------------------------------------
    // Process-wide

    /**
     * Sets ORT's global random seed, used by random operators (e.g. {@code RandomNormalLike} without a
     * {@code seed} attribute) in sessions created afterwards. Process-wide.
     *
     * @param seed the seed
     */
    public static void setSeed(long seed) {
        Ort ort = Ort.get();
        ort.check(ort.trainingApi().SetSeed(seed), () -> "SetSeed(" + seed + ")");
    }

    // ------------------------------------------------------------------------------------------------------
    // Lifecycle

    private void requireEval(String method) {
        if (!hasEvalModel) {
            throw new IllegalStateException(method + " needs an eval model, but this TrainingSession was opened "
                    + "without one");
        }
    }

    private void requireOptimizer(String method) {
        if (!hasOptimizerModel) {
            throw new IllegalStateException(method + " needs an optimizer model, but this TrainingSession was "
                    + "opened without one");
        }
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateException("TrainingSession is closed");
        }
    }

    /** @return whether {@link #close()} has been called */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Releases the training session, then the checkpoint state, then the session options and the model
     * buffers. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tapi.ReleaseTrainingSession(session);
        session.setNull();
        tapi.ReleaseCheckpointState(state);
        state.setNull();
        ort.api().ReleaseSessionOptions(options);
        options.setNull();
        modelBuffers.forEach(Pointer::close);
    }

    @Override
    public String toString() {
        return closed ? "TrainingSession[closed]"
                : "TrainingSession[inputs " + trainingInputNames + ", outputs " + trainingOutputNames
                        + (hasEvalModel ? ", eval" : "") + (hasOptimizerModel ? ", optimizer" : "") + "]";
    }
}
