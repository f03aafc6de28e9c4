package org.onnxtoolkit.engine.ort;

import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TYPE_TENSOR;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.onnxruntime.OrtApi;
import org.bytedeco.onnxruntime.OrtSession;
import org.bytedeco.onnxruntime.OrtSessionOptions;
import org.bytedeco.onnxruntime.OrtTensorTypeAndShapeInfo;
import org.bytedeco.onnxruntime.OrtTypeInfo;
import org.bytedeco.onnxruntime.OrtValue;

/**
 * An ONNX Runtime session for a plain (inference) ONNX model, e.g. a run's {@code decoder.onnx}.
 *
 * <p>{@link #run} takes one {@link Tensor} per model input, keyed by name, and returns {@link Outputs}
 * indexed by output name. Unknown and missing names, and a tensor whose element type differs from the type
 * the model declares for that input, are refused with one line before anything reaches ORT; ORT checks the
 * shapes.
 *
 * <p><b>Ownership.</b> This object is the one owner of its native session and session options, released by
 * {@link #close()} (idempotent). Tensors are copied in and out; no native memory escapes a call.
 *
 * <p><b>Thread-safety.</b> Not thread-safe as a Java object: do not call {@link #close()} concurrently with
 * {@link #run}. (ORT itself allows concurrent {@code Run} calls, but this class does not promise it.)
 *
 * <p>Every public method except {@code close()} checks first that the session is open and throws
 * {@link IllegalStateException} ("InferenceSession is closed") after {@link #close()}.
 */
public final class InferenceSession implements AutoCloseable {

    private final Ort ort;
    private final OrtSessionOptions options;
    private final OrtSession session;
    private final InputSignature signature;
    private final List<String> outputNames;
    private boolean closed;

    private InferenceSession(Ort ort, OrtSessionOptions options, OrtSession session, InputSignature signature,
            List<String> outputNames) {
        this.ort = ort;
        this.options = options;
        this.session = session;
        this.signature = signature;
        this.outputNames = outputNames;
    }

    /**
     * Opens a session from a serialized model.
     *
     * @param model {@code ModelProto} bytes; copied, not needed after this call
     * @param config device and threads
     * @return the open session; close it
     * @throws OrtException if ORT cannot load the model
     * @throws IllegalStateException if the configured device is unavailable
     */
    public static InferenceSession open(byte[] model, SessionConfig config) {
        Objects.requireNonNull(model, "model");
        return create(config, (o, so, out) -> {
            try (BytePointer bytes = new BytePointer(model)) {
                o.check(o.api().CreateSessionFromArray(o.env(), bytes, model.length, so, out),
                        () -> "CreateSessionFromArray(" + model.length + " bytes)");
            }
        });
    }

    /**
     * Opens a session from a model file.
     *
     * @param model the {@code .onnx} file
     * @param config device and threads
     * @return the open session; close it
     * @throws OrtException if ORT cannot load the model (code 3, NO_SUCHFILE, for a missing file)
     * @throws IllegalStateException if the configured device is unavailable
     */
    public static InferenceSession open(Path model, SessionConfig config) {
        Objects.requireNonNull(model, "model");
        return create(config, (o, so, out) -> {
            try (BytePointer path = TrainingSession.nativePath(model)) {
                o.check(o.api().CreateSession(o.env(), path, so, out), () -> "CreateSession(" + model + ")");
            }
        });
    }

    @FunctionalInterface
    private interface Creator {
        void create(Ort ort, OrtSessionOptions options, OrtSession out);
    }

    private static InferenceSession create(SessionConfig config, Creator creator) {
        Objects.requireNonNull(config, "config");
        Ort ort = Ort.get();
        OrtApi api = ort.api();
        OrtSessionOptions options = SessionOptions.create(ort, config);
        OrtSession session = new OrtSession();
        try {
            creator.create(ort, options, session);
            List<String> in = names(ort, session, true);
            List<String> out = names(ort, session, false);
            return new InferenceSession(ort, options, session,
                    new InputSignature("Run", in, declaredInputTypes(ort, session, in.size())), out);
        } catch (RuntimeException e) {
            if (!session.isNull()) {
                api.ReleaseSession(session);
            }
            api.ReleaseSessionOptions(options);
            throw e;
        }
    }

    private static List<String> names(Ort ort, OrtSession session, boolean inputs) {
        OrtApi api = ort.api();
        String what = inputs ? "input" : "output";
        long n;
        try (SizeTPointer count = new SizeTPointer(1)) {
            ort.check(inputs ? api.SessionGetInputCount(session, count) : api.SessionGetOutputCount(session, count),
                    () -> "get the model " + what + " count");
            n = count.get();
        }
        List<String> names = new ArrayList<>();
        try (PointerPointer<?> out = new PointerPointer<>(1)) {
            for (long i = 0; i < n; i++) {
                long index = i;
                out.put(0, (Pointer) null);
                ort.check(inputs ? api.SessionGetInputName(session, i, ort.allocator(), out)
                        : api.SessionGetOutputName(session, i, ort.allocator(), out),
                        () -> "get model " + what + " name " + index);
                names.add(TrainingSession.takeAllocatorString(ort, out.get(0)));
            }
        }
        return List.copyOf(names);
    }

    /** The ONNX element type code of each input; 0 for an input that is not a tensor. */
    private static int[] declaredInputTypes(Ort ort, OrtSession session, int count) {
        OrtApi api = ort.api();
        int[] types = new int[count];
        for (int i = 0; i < count; i++) {
            int index = i;
            OrtTypeInfo info = new OrtTypeInfo();
            ort.check(api.SessionGetInputTypeInfo(session, i, info), () -> "get model input type " + index);
            try {
                int[] onnxType = new int[1];
                ort.check(api.GetOnnxTypeFromTypeInfo(info, onnxType), () -> "get model input kind " + index);
                if (onnxType[0] != ONNX_TYPE_TENSOR) {
                    continue;
                }
                // A view into info, owned by it: released with it, never on its own.
                OrtTensorTypeAndShapeInfo tensor = new OrtTensorTypeAndShapeInfo();
                ort.check(api.CastTypeInfoToTensorInfo(info, tensor), () -> "get model input tensor type " + index);
                int[] element = new int[1];
                ort.check(api.GetTensorElementType(tensor, element), () -> "get model input element type " + index);
                types[i] = element[0];
            } finally {
                api.ReleaseTypeInfo(info);
            }
        }
        return types;
    }

    /** @return the model's input names, in graph order */
    public List<String> inputNames() {
        checkClosed();
        return signature.names();
    }

    /** @return the model's output names, in graph order */
    public List<String> outputNames() {
        checkClosed();
        return outputNames;
    }

    /**
     * Runs the model once and returns every output.
     *
     * @param inputs one tensor for each of {@link #inputNames()}, keyed by name, no other names, each with the
     *     element type the model declares; read, not kept
     * @return every output, in {@link #outputNames()} order
     * @throws IllegalArgumentException if a name is unknown or missing, a tensor is null, or an element type
     *     differs from the model's; nothing has run then
     * @throws OrtException if ORT rejects an input (e.g. a wrong shape) or the run fails
     */
    public Outputs run(Map<String, Tensor> inputs) {
        checkClosed();
        Tensor[] ordered = signature.order(inputs);
        List<String> inputNames = signature.names();
        int nIn = inputNames.size();
        int nOut = outputNames.size();
        Supplier<String> context = () -> "Run with inputs " + signature.describe(ordered);
        List<OrtValue> created = new ArrayList<>(nIn);
        List<BytePointer> strings = new ArrayList<>();
        try (PointerPointer<BytePointer> inNames = new PointerPointer<>(Math.max(1, nIn));
                PointerPointer<OrtValue> inValues = new PointerPointer<>(Math.max(1, nIn));
                PointerPointer<BytePointer> outNames = new PointerPointer<>(Math.max(1, nOut));
                PointerPointer<OrtValue> outValues = new PointerPointer<>(Math.max(1, nOut))) {
            outValues.zero();
            try {
                for (int i = 0; i < nIn; i++) {
                    inNames.put(i, utf8(inputNames.get(i), strings));
                    OrtValue v = OrtValues.create(ort, ordered[i]);
                    created.add(v);
                    inValues.put(i, v);
                }
                for (int i = 0; i < nOut; i++) {
                    outNames.put(i, utf8(outputNames.get(i), strings));
                }
                ort.check(ort.api().Run(session, null, inNames, inValues, nIn, outNames, nOut, outValues), context);
                LinkedHashMap<String, Tensor> result = new LinkedHashMap<>();
                for (int i = 0; i < nOut; i++) {
                    String name = outputNames.get(i);
                    result.put(name, OrtValues.read(ort, outValues.get(OrtValue.class, i),
                            () -> "output '" + name + "'"));
                }
                return new Outputs(result);
            } finally {
                OrtValues.releaseAll(ort, outValues, nOut);
                OrtValues.releaseAll(ort, created);
                strings.forEach(Pointer::close);
            }
        }
    }

    private static BytePointer utf8(String s, List<BytePointer> keep) {
        BytePointer p = new BytePointer(s, StandardCharsets.UTF_8);
        keep.add(p);
        return p;
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateException("InferenceSession is closed");
        }
    }

    /** @return whether {@link #close()} has been called */
    public boolean isClosed() {
        return closed;
    }

    /** Releases the session, then its options. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ort.api().ReleaseSession(session);
        session.setNull();
        ort.api().ReleaseSessionOptions(options);
        options.setNull();
    }

    @Override
    public String toString() {
        return closed ? "InferenceSession[closed]"
                : "InferenceSession[inputs " + signature.names() + ", outputs " + outputNames + "]";
    }
}
