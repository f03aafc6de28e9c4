package org.onnxtoolkit.engine.ort;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.onnxruntime.OrtApi;
import org.bytedeco.onnxruntime.OrtCUDAProviderOptionsV2;
import org.bytedeco.onnxruntime.OrtSessionOptions;

/**
 * Builds native {@code OrtSessionOptions} from a {@link SessionConfig}. Internal to the session layer.
 *
 * <p>Ownership: {@link #create} returns options owned by the caller, who releases them with
 * {@code OrtApi.ReleaseSessionOptions} after the session that uses them (ORT copies what it needs at session
 * creation, but keeping them until the session is closed is the simple rule).
 */
final class SessionOptions {

    /**
     * The system property that keeps subnormal floats exact ({@code -Dtoolkit.ort.subnormals=keep}); by
     * default every session flushes them to zero ({@link #flushesSubnormals}).
     */
    static final String SUBNORMALS_PROPERTY = "toolkit.ort.subnormals";

    private SessionOptions() {}

    /**
     * Whether sessions flush subnormal floats (below 1.18e-38 in magnitude) to zero: yes unless the system
     * property {@value #SUBNORMALS_PROPERTY} is {@code keep}.
     *
     * <p>Why: training produces subnormals by itself. Adam's first moment of a weight whose gradient stays zero
     * (pixels that are black in every image of a batch) decays by 0.9 per step through the subnormal range, and
     * the decoder's logits for always-black pixels fall until their sigmoid is subnormal. x86 arithmetic on
     * subnormals is many times slower. Measured on the 2-core project machine, MLP VAE on Fashion-MNIST, 8
     * epochs, per step: without flushing, TrainStep grew from 3.0 ms in the first epoch to 3.6-3.8 ms from the
     * fourth and OptimizerStep from 0.9 to 1.2 ms; with flushing they stayed at 2.4-2.8 ms and 0.92-1.0 ms,
     * and every loss was the same to the printed digits (the 10-epoch test negative ELBO is identical). Values
     * that small do not change a float32 model's results. ({@code benchmark} times a fresh model, before the
     * subnormals appear, so it hardly shows the difference.)
     *
     * <p>Scope, as ORT implements {@code session.set_denormal_as_zero}: a session's own intra-op worker threads
     * flush; the calling thread flushes only where it is the thread that created the process's first session
     * (ORT sets that thread's mode once per process). {@code train} creates its first session on the thread that
     * then runs the steps, so all of a step's threads flush; where sessions run on other threads (a Spark
     * executor's later tasks, {@code serve}'s request threads) those threads' share keeps exact subnormals
     * (slower, same results). The flag is per thread, so it also applies to that thread's own Java float
     * arithmetic: HotSpot does not restore it after native calls ({@code SubnormalsTest} checks both).
     *
     * @return whether to ask ORT to flush subnormals to zero
     */
    static boolean flushesSubnormals() {
        String v = System.getProperty(SUBNORMALS_PROPERTY, "flush");
        return switch (v) {
            case "flush" -> true;
            case "keep" -> false;
            default -> throw new IllegalArgumentException("system property " + SUBNORMALS_PROPERTY
                    + " must be \"flush\" or \"keep\" but was \"" + v + "\"");
        };
    }

    /**
     * Creates session options for the configuration, with the CUDA execution provider appended when the
     * configuration asks for a GPU. For a GPU, {@link CudaEnvironment} first checks the natives, the driver,
     * the CUDA libraries and the device index, so that a missing piece is named in one line before any native
     * handle exists.
     *
     * @param ort the ORT handles
     * @param config the configuration
     * @return new options owned by the caller
     * @throws DeviceUnavailableException if the CUDA execution provider cannot be enabled
     * @throws OrtException if ORT rejects another setting
     */
    static OrtSessionOptions create(Ort ort, SessionConfig config) {
        CudaEnvironment.system().require(config.device());
        OrtApi api = ort.api();
        OrtSessionOptions options = new OrtSessionOptions();
        ort.check(api.CreateSessionOptions(options), () -> "CreateSessionOptions");
        try {
            if (config.intraOpThreads() > 0) {
                ort.check(api.SetIntraOpNumThreads(options, config.intraOpThreads()),
                        () -> "SetIntraOpNumThreads(" + config.intraOpThreads() + ")");
            }
            // Spinning worker threads wait for work at full speed: faster on an idle machine, far slower when
            // other processes want the cores (SessionConfig.Spinning says how much).
            boolean spin = config.spinning().spins(config.intraOpThreads(),
                    Runtime.getRuntime().availableProcessors(), config.spinning() == SessionConfig.Spinning.AUTO
                            ? CoreLoad.otherProcessesBusyCores() : 0);
            addConfigEntry(ort, options, "session.intra_op.allow_spinning", spin);
            addConfigEntry(ort, options, "session.set_denormal_as_zero", flushesSubnormals());
            if (config.interOpThreads() > 0) {
                ort.check(api.SetInterOpNumThreads(options, config.interOpThreads()),
                        () -> "SetInterOpNumThreads(" + config.interOpThreads() + ")");
            }
            if (config.profilePrefix() != null) {
                try (BytePointer prefix = new BytePointer(config.profilePrefix().toString())) {
                    ort.check(api.EnableProfiling(options, prefix),
                            () -> "EnableProfiling(" + config.profilePrefix() + ")");
                }
            }
            if (config.device() instanceof Device.Cuda cuda) {
                appendCuda(ort, options, cuda);
            }
            return options;
        } catch (RuntimeException e) {
            api.ReleaseSessionOptions(options);
            throw e;
        }
    }

    /** Sets a boolean session configuration entry ({@code "1"} or {@code "0"}). */
    private static void addConfigEntry(Ort ort, OrtSessionOptions options, String key, boolean on) {
        try (BytePointer k = new BytePointer(key); BytePointer v = new BytePointer(on ? "1" : "0")) {
            ort.check(ort.api().AddSessionConfigEntry(options, k, v),
                    () -> "AddSessionConfigEntry(" + key + "=" + (on ? 1 : 0) + ")");
        }
    }

    private static void appendCuda(Ort ort, OrtSessionOptions options, Device.Cuda cuda) {
        OrtApi api = ort.api();
        CudaProviderOptions extra = CudaProviderOptions.fromSystem();
        Map<String, String> all = new LinkedHashMap<>();
        all.put("device_id", Integer.toString(cuda.index()));
        all.putAll(extra.options());
        String[] keys = all.keySet().toArray(String[]::new);
        String[] values = all.values().toArray(String[]::new);
        OrtCUDAProviderOptionsV2 cudaOptions = new OrtCUDAProviderOptionsV2();
        try {
            ort.check(api.CreateCUDAProviderOptions(cudaOptions), () -> "CreateCUDAProviderOptions");
            try (PointerPointer<?> k = new PointerPointer<>(keys, StandardCharsets.UTF_8);
                    PointerPointer<?> v = new PointerPointer<>(values, StandardCharsets.UTF_8)) {
                ort.check(api.UpdateCUDAProviderOptions(cudaOptions, k, v, keys.length),
                        () -> "UpdateCUDAProviderOptions(" + all + ")");
            } catch (OrtException e) {
                if (extra.options().isEmpty()) {
                    throw e;
                }
                throw new IllegalArgumentException(extra.source() + ": ONNX Runtime refused the CUDA options "
                        + extra + " (" + e.shortOrtMessage() + "); fix or unset " + extra.source(), e);
            }
            ort.check(api.SessionOptionsAppendExecutionProvider_CUDA_V2(options, cudaOptions),
                    () -> "SessionOptionsAppendExecutionProvider_CUDA_V2(" + cuda + ")");
        } catch (OrtException e) {
            throw new DeviceUnavailableException(cuda, DeviceUnavailableException.Reason.PROVIDER, cuda
                    + " requested but ONNX Runtime could not enable the CUDA execution provider (" + e.getMessage()
                    + "): check that the CUDA 13 / cuDNN 9 libraries on LD_LIBRARY_PATH match the driver"
                    + " (nvidia-smi), or use --device cpu", e);
        } finally {
            if (!cudaOptions.isNull()) {
                api.ReleaseCUDAProviderOptions().call(cudaOptions);
            }
        }
    }
}
