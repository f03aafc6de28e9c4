package org.onnxtoolkit.engine.ort;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;
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
 * <p><b>Inputs and outputs by name.</b> {@link #trainStep} and {@link #evalStep} take one {@link Tensor} per
 * user input of the model, keyed by the input's name ({@link #trainingInputNames()}), and return
 * {@link Outputs} indexed by output name. Before anything reaches ORT the inputs are checked: unknown and
 * missing names are reported together with the names the model expects, and a tensor whose element type
 * differs from the type the model declares for its input (float32 fed where int64 labels are declared) is
 * refused with one line naming the input and both types. Shapes are checked by ORT
 * ({@link OrtException} with the inputs' types and shapes as context).
 *
 * <p><b>Scope.</b> This class covers what training needs: open from a checkpoint, steps, the learning rate,
 * checkpoints, and reading or replacing a parameter by name. It is not a complete binding of ORT's training
 * API: checkpoint properties, ORT's learning-rate schedulers, the flat parameter buffer and
 * {@code ExportModelForInferencing} are left out, because the toolkit schedules nothing inside ORT and writes
 * its inference models with its own compiler (with standard ops only).
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
 * <p>Every public instance method checks first that the session is open and throws
 * {@link IllegalStateException} ("TrainingSession is closed") after {@link #close()}; {@code close()} itself
 * may be called any number of times.
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
    private final InputSignature trainingInputs;
    private final List<String> trainingOutputNames;
    private final InputSignature evalInputs;
    private final List<String> evalOutputNames;
    private boolean closed;

    private TrainingSession(Ort ort, Handles h, boolean hasEvalModel, boolean hasOptimizerModel,
            Signatures signatures) {
        this.ort = ort;
        this.tapi = ort.trainingApi();
        this.options = h.options;
        this.state = h.state;
        this.session = h.session;
        this.modelBuffers = List.copyOf(h.buffers);
        this.hasEvalModel = hasEvalModel;
        this.hasOptimizerModel = hasOptimizerModel;
        this.trainingInputs = signatures.trainingInputs;
        this.trainingOutputNames = signatures.trainingOutputs;
        this.evalInputs = signatures.evalInputs;
        this.evalOutputNames = signatures.evalOutputs;
    }

    // ------------------------------------------------------------------------------------------------------
    // Opening

    /**
     * Opens a session from a checkpoint file and in-memory models.
     *
     * @param checkpoint an ORT training checkpoint file (flatbuffer "ODTC", version 2)
     * @param trainingModel the serialized training model ({@code ModelProto} bytes); copied
     * @param evalModel the serialized eval model, or null for none (then {@link #evalStep} is unavailable);
     *     copied
     * @param optimizerModel the serialized optimizer model, or null for none (then {@link #optimizerStep} and
     *     the learning-rate methods are unavailable); copied
     * @param config device and threads
     * @return the open session; close it
     * @throws OrtException if ORT cannot load the checkpoint or the models
     * @throws IllegalArgumentException if a model is not a {@code ModelProto}
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
     * @throws IllegalArgumentException if a model is not a {@code ModelProto}
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
        return create(config, loader, creator, trainingModel, evalModel, optimizerModel != null);
    }

    private static BytePointer keep(Handles h, byte[] bytes) {
        BytePointer p = new BytePointer(bytes);
        h.buffers.add(p);
        return p;
    }

    private static TrainingSession create(SessionConfig config, CheckpointLoader loader, SessionCreator creator,
            byte[] trainingModel, byte[] evalModel, boolean hasOptimizer) {
        Ort ort = Ort.get();
        Handles h = new Handles();
        try {
            h.options = SessionOptions.create(ort, config);
            h.state = new OrtCheckpointState();
            loader.load(ort, h.state);
            h.session = new OrtTrainingSession();
            creator.create(ort, h);
            Signatures signatures = readSignatures(ort, h.session, trainingModel, evalModel);
            return new TrainingSession(ort, h, evalModel != null, hasOptimizer, signatures);
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

    private record Signatures(InputSignature trainingInputs, List<String> trainingOutputs,
            InputSignature evalInputs, List<String> evalOutputs) {}

    @FunctionalInterface
    private interface CountCall {
        OrtStatus call(OrtTrainingSession session, SizeTPointer out);
    }

    @FunctionalInterface
    private interface NameCall {
        OrtStatus call(OrtTrainingSession session, long index, OrtAllocator allocator, PointerPointer<?> out);
    }

    /**
     * The user inputs and outputs ORT reports, with the input types the models declare. ORT's training API
     * has no type information for its models' inputs, so the types come from the models' own graphs.
     */
    private static Signatures readSignatures(Ort ort, OrtTrainingSession s, byte[] trainingModel,
            byte[] evalModel) {
        OrtTrainingApi t = ort.trainingApi();
        List<String> trainIn = readNames(ort, s, "training model input", t::TrainingSessionGetTrainingModelInputCount,
                t::TrainingSessionGetTrainingModelInputName);
        List<String> trainOut = readNames(ort, s, "training model output",
                t::TrainingSessionGetTrainingModelOutputCount, t::TrainingSessionGetTrainingModelOutputName);
        InputSignature training = new InputSignature("TrainStep", trainIn,
                declaredTypes(trainIn, trainingModel, "training model"));
        InputSignature eval = new InputSignature("EvalStep", List.of(), new int[0]);
        List<String> evalOut = List.of();
        if (evalModel != null) {
            List<String> evalIn = readNames(ort, s, "eval model input", t::TrainingSessionGetEvalModelInputCount,
                    t::TrainingSessionGetEvalModelInputName);
            evalOut = readNames(ort, s, "eval model output", t::TrainingSessionGetEvalModelOutputCount,
                    t::TrainingSessionGetEvalModelOutputName);
            eval = new InputSignature("EvalStep", evalIn, declaredTypes(evalIn, evalModel, "eval model"));
        }
        return new Signatures(training, trainOut, eval, evalOut);
    }

    /**
     * The element type each of {@code names} has among the graph inputs of {@code model}; 0 for a name the
     * graph does not declare with a tensor type.
     */
    private static int[] declaredTypes(List<String> names, byte[] model, String what) {
        OnnxMl.GraphProto graph;
        try {
            graph = OnnxMl.ModelProto.parseFrom(model).getGraph();
        } catch (InvalidProtocolBufferException e) {
            // ORT has loaded it, so this does not happen with a model ORT accepts.
            throw new IllegalArgumentException("the " + what + " is not an ONNX ModelProto: " + e.getMessage(), e);
        }
        Map<String, Integer> declared = new HashMap<>();
        for (OnnxMl.ValueInfoProto in : graph.getInputList()) {
            if (in.getType().hasTensorType()) {
                declared.put(in.getName(), in.getType().getTensorType().getElemType());
            }
        }
        int[] types = new int[names.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = declared.getOrDefault(names.get(i), 0);
        }
        return types;
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

    /** @return the training model's user inputs, the keys {@link #trainStep} takes, in the model's order */
    public List<String> trainingInputNames() {
        checkClosed();
        return trainingInputs.names();
    }

    /** @return the training model's user outputs (gradient flags excluded), the names {@link #trainStep}
     *     returns, in the model's order */
    public List<String> trainingOutputNames() {
        checkClosed();
        return trainingOutputNames;
    }

    /** @return the eval model's user inputs, the keys {@link #evalStep} takes; empty without an eval model */
    public List<String> evalInputNames() {
        checkClosed();
        return evalInputs.names();
    }

    /** @return the eval model's outputs, the names {@link #evalStep} returns; empty without an eval model */
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
     * @param inputs one tensor per name of {@link #trainingInputNames()}, no other names, each with the element
     *     type and a shape the model declares; the map is read, not kept
     * @return every output of {@link #trainingOutputNames()} (e.g. the scalar {@code loss})
     * @throws IllegalArgumentException if a name is unknown or missing, a tensor is null, or an element type
     *     differs from the model's; nothing has run then
     * @throws OrtException if ORT rejects an input (e.g. a wrong shape) or the run fails
     */
    public Outputs trainStep(Map<String, Tensor> inputs) {
        checkClosed();
        Tensor[] ordered = trainingInputs.order(inputs);
        return run(ordered, trainingInputs, trainingOutputNames, "TrainStep",
                (in, nOut, out) -> tapi.TrainStep(session, null, ordered.length, in, nOut, out));
    }

    /**
     * Runs the eval model once with the current parameters. Does not touch gradients.
     *
     * @param inputs one tensor per name of {@link #evalInputNames()}, no other names; read, not kept
     * @return every output of {@link #evalOutputNames()}
     * @throws IllegalStateException if the session has no eval model
     * @throws IllegalArgumentException if a name is unknown or missing, a tensor is null, or an element type
     *     differs from the model's
     * @throws OrtException if ORT rejects an input or the run fails
     */
    public Outputs evalStep(Map<String, Tensor> inputs) {
        checkClosed();
        requireEval("evalStep");
        Tensor[] ordered = evalInputs.order(inputs);
        return run(ordered, evalInputs, evalOutputNames, "EvalStep",
                (in, nOut, out) -> tapi.EvalStep(session, null, ordered.length, in, nOut, out));
    }

    @FunctionalInterface
    private interface StepCall {
        OrtStatus call(PointerPointer<?> inputs, long outputCount, PointerPointer<?> outputs);
    }

    private Outputs run(Tensor[] inputs, InputSignature signature, List<String> outputNames, String verb,
            StepCall call) {
        int nIn = inputs.length;
        int nOut = outputNames.size();
        Supplier<String> context = () -> verb + " with inputs " + signature.describe(inputs);
        List<OrtValue> created = new ArrayList<>(nIn);
        try (PointerPointer<?> in = new PointerPointer<>(Math.max(1, nIn));
                PointerPointer<OrtValue> out = new PointerPointer<>(Math.max(1, nOut))) {
            // Null output slots tell ORT to allocate; new PointerPointer memory is not guaranteed to be zero.
            out.zero();
            try {
                for (int i = 0; i < nIn; i++) {
                    OrtValue v = OrtValues.create(ort, inputs[i]);
                    created.add(v);
                    in.put(i, v);
                }
                ort.check(call.call(in, nOut, out), context);
                LinkedHashMap<String, Tensor> results = new LinkedHashMap<>();
                for (int i = 0; i < nOut; i++) {
                    String name = outputNames.get(i);
                    results.put(name, OrtValues.read(ort, out.get(OrtValue.class, i),
                            () -> verb + " output '" + name + "'"));
                }
                return new Outputs(results);
            } finally {
                OrtValues.releaseAll(ort, out, nOut);
                OrtValues.releaseAll(ort, created);
            }
        }
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

    // ------------------------------------------------------------------------------------------------------
    // Checkpoints and parameters

    /**
     * Saves the current state as an ORT checkpoint. ORT writes to a temporary file in the same directory,
     * which is flushed to disk and then atomically renamed over {@code path}, so {@code path} never holds a
     * half-written checkpoint. Parameters are written sorted by name; the properties the checkpoint was
     * opened with are kept.
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
     * The current state as the bytes of the checkpoint file ORT writes (what {@link #saveCheckpoint} writes),
     * for handing it to another session ({@link #openFromBytes}) rather than keeping it: ORT writes it to a
     * temporary file, which is read and removed, without the flush to disk that {@link #saveCheckpoint} makes.
     *
     * @param includeOptimizerState whether to include the optimizer moments and step count
     * @return the checkpoint's bytes
     * @throws IOException if the temporary file cannot be written or read
     * @throws OrtException if ORT cannot serialize the state
     */
    public byte[] checkpointBytes(boolean includeOptimizerState) throws IOException {
        checkClosed();
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("toolkit-checkpoint");
        java.nio.file.Path file = dir.resolve("state.ckpt");
        try {
            try (BytePointer p = nativePath(file)) {
                ort.check(tapi.SaveCheckpoint(state, p, includeOptimizerState),
                        () -> "SaveCheckpoint(" + file + ", includeOptimizerState=" + includeOptimizerState + ")");
            }
            return java.nio.file.Files.readAllBytes(file);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    /**
     * Copies one parameter out of the checkpoint state.
     *
     * @param name the parameter name (a checkpoint tensor name, e.g. {@code "fc1/weight"})
     * @return a copy with the parameter's element type and shape
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
     * Replaces one parameter's values, e.g. to start from pretrained weights or to move one element for a
     * finite-difference check. The optimizer state is left as it is.
     *
     * @param name the parameter name
     * @param value the new values, with exactly the parameter's element type and shape
     * @throws OrtException if there is no such parameter or the shape or type differs
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

    // ------------------------------------------------------------------------------------------------------
    // Process-wide

    /**
     * Sets ORT's global random seed, used by random operators ({@code RandomNormalLike} from the graph
     * builder's {@code randomNormalLike}, when artifacts are compiled without noise inputs) in sessions created
     * afterwards. Process-wide; thread-safe as ORT's {@code SetSeed}.
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
                : "TrainingSession[inputs " + trainingInputs.names() + ", outputs " + trainingOutputNames
                        + (hasEvalModel ? ", eval" : "") + (hasOptimizerModel ? ", optimizer" : "") + "]";
    }
}
