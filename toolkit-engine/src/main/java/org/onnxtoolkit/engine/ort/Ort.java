package org.onnxtoolkit.engine.ort;

import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_API_VERSION;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_LOGGING_LEVEL_WARNING;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtGetApiBase;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.onnxruntime.OrtAllocator;
import org.bytedeco.onnxruntime.OrtApi;
import org.bytedeco.onnxruntime.OrtApiBase;
import org.bytedeco.onnxruntime.OrtEnv;
import org.bytedeco.onnxruntime.OrtLoggingFunction;
import org.bytedeco.onnxruntime.OrtStatus;
import org.bytedeco.onnxruntime.OrtTrainingApi;

/**
 * The process-wide ONNX Runtime handles: the C API table ({@link OrtApi}), the training API table
 * ({@link OrtTrainingApi}), one {@link OrtEnv} (logging level WARNING, through a logger that hands ORT's messages
 * to {@link OrtLog} instead of stderr) and ORT's default CPU allocator.
 *
 * <p>Nothing happens when this class is loaded: the native library is loaded and the handles are created on
 * the first call to {@link #get()}. The environment and the allocator live until the process ends and are
 * never released (ORT requires the environment to outlive every session; the default allocator must not be
 * released at all).
 *
 * <p>This is the low-level layer under {@link TrainingSession} and {@link InferenceSession}; most code
 * should use those. Thread-safety: {@link #get()} is thread-safe; the handles themselves are as thread-safe
 * as ORT's C API says (the environment and the default allocator may be shared between threads).
 */
public final class Ort {

    private static final Object LOCK = new Object();

    /**
     * ORT's logger: every message goes to {@link OrtLog} instead of ORT's default sink, which writes to stderr. ORT
     * keeps only the native function pointer, so this field keeps the Java object (and its native thunk) reachable
     * for as long as the environment lives: the life of the process. Created with the environment (creating it
     * loads the native library), under {@code LOCK}.
     */
    private static OrtLoggingFunction logger;
    private static volatile Ort instance;

    private final OrtApi api;
    private final OrtTrainingApi trainingApi;
    private final OrtEnv env;
    private final OrtAllocator allocator;
    private final String version;

    private Ort(OrtApi api, OrtTrainingApi trainingApi, OrtEnv env, OrtAllocator allocator, String version) {
        this.api = api;
        this.trainingApi = trainingApi;
        this.env = env;
        this.allocator = allocator;
        this.version = version;
    }

    /**
     * Returns the process-wide instance, creating it (and loading the native library) on the first call.
     *
     * @return the shared ORT handles
     * @throws IllegalStateException if the ORT build has no C API of version {@code ORT_API_VERSION} or no
     *     training API
     * @throws OrtException if creating the environment or getting the allocator fails
     */
    public static Ort get() {
        Ort result = instance;
        if (result == null) {
            synchronized (LOCK) {
                result = instance;
                if (result == null) {
                    result = create();
                    instance = result;
                }
            }
        }
        return result;
    }

    private static final java.util.concurrent.atomic.AtomicBoolean PRELOAD_STARTED =
            new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Starts loading the native library and measuring the cores' load ({@link SessionConfig.Spinning#AUTO}) on a
     * daemon thread, so that a command can do its own start-up work (plugins, data) meanwhile; the first session
     * then finds both done. Failures are left for that session to report. Only the first call in a process starts
     * the thread; later calls return at once.
     */
    public static void preloadInBackground() {
        if (!PRELOAD_STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                CoreLoad.otherProcessesBusyCores();
                get();
            } catch (RuntimeException | LinkageError e) {
                // the session that needs ORT will meet the same failure and report it with its context
            }
        }, "ort-preload");
        t.setDaemon(true);
        t.start();
    }

    private static Ort create() {
        OrtApiBase base = OrtGetApiBase();
        OrtApi api = base.GetApi().call(ORT_API_VERSION);
        if (api == null || api.isNull()) {
            throw new IllegalStateException("the ONNX Runtime native library does not provide C API version "
                    + ORT_API_VERSION + "; the onnxruntime jar and its natives jar must have the same version");
        }
        OrtTrainingApi trainingApi = api.GetTrainingApi().call(ORT_API_VERSION);
        if (trainingApi == null || trainingApi.isNull()) {
            throw new IllegalStateException("the ONNX Runtime native library was built without the training API; "
                    + "use the org.bytedeco:onnxruntime natives, which include it");
        }
        String version = base.GetVersionString().call().getString(StandardCharsets.UTF_8);
        OrtEnv env = new OrtEnv();
        logger = new LogSink();
        try (BytePointer logId = new BytePointer("onnxtoolkit", StandardCharsets.UTF_8)) {
            checkStatus(api, api.CreateEnvWithCustomLogger(logger, null, ORT_LOGGING_LEVEL_WARNING, logId, env),
                    () -> "CreateEnvWithCustomLogger");
        }
        OrtAllocator allocator = new OrtAllocator();
        try {
            checkStatus(api, api.GetAllocatorWithDefaultOptions(allocator), () -> "GetAllocatorWithDefaultOptions");
        } catch (RuntimeException e) {
            api.ReleaseEnv(env);
            throw e;
        }
        return new Ort(api, trainingApi, env, allocator, version);
    }

    /** @return the C API function table */
    public OrtApi api() {
        return api;
    }

    /** @return the training API function table */
    public OrtTrainingApi trainingApi() {
        return trainingApi;
    }

    /** @return the process-wide environment; never release it */
    public OrtEnv env() {
        return env;
    }

    /** @return ORT's default CPU allocator; never release it */
    public OrtAllocator allocator() {
        return allocator;
    }

    /** @return the version string of the loaded native library, e.g. {@code "1.24.1"} */
    public String version() {
        return version;
    }

    /**
     * Checks the status returned by an ORT C API call. A null status means success. Otherwise reads the error
     * code and message, releases the status and throws.
     *
     * @param status what the call returned; may be null
     * @param context what we were doing, built only when the call failed
     * @throws OrtException if {@code status} reports an error
     */
    public void check(OrtStatus status, Supplier<String> context) {
        checkStatus(api, status, context);
    }

    /** Hands ORT's log messages to {@link OrtLog}; runs on ORT's threads and must never throw into native code. */
    private static final class LogSink extends OrtLoggingFunction {
        @Override
        public void call(Pointer param, int severity, BytePointer category, BytePointer logId, BytePointer codeLocation,
                         BytePointer message) {
            try {
                OrtLog.record(severity, text(category), text(codeLocation), text(message));
            } catch (Throwable t) {
                // Nothing may propagate into ORT; a lost log line is harmless.
            }
        }

        private static String text(BytePointer p) {
            return p == null || p.isNull() ? "" : p.getString(StandardCharsets.UTF_8);
        }
    }

    private static void checkStatus(OrtApi api, OrtStatus status, Supplier<String> context) {
        if (status == null || status.isNull()) {
            return;
        }
        int code;
        String message;
        try {
            code = api.GetErrorCode().call(status);
            BytePointer text = api.GetErrorMessage().call(status);
            message = text == null || text.isNull() ? "" : text.getString(StandardCharsets.UTF_8);
        } finally {
            api.ReleaseStatus(status);
        }
        if (message.isBlank()) {
            // Some failures come with an empty status; ORT then usually logged the reason just before.
            OrtLog.Entry logged = OrtLog.lastError();
            message = logged == null ? message : logged.message();
        }
        throw new OrtException(context.get(), code, message);
    }
}
