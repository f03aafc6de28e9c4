package org.onnxtoolkit.engine.ort;

import java.util.Objects;

/**
 * The requested device cannot run a session on this machine. The message is one line that names what is
 * missing and how to fix it; {@link #reason()} says which check failed.
 *
 * <p>An {@link IllegalStateException}, so that callers that only know the session contract ("throws
 * IllegalStateException if the configured device is unavailable") keep working.
 */
public final class DeviceUnavailableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** Which check failed, in the order {@link CudaEnvironment} runs them. */
    public enum Reason {
        /** The CPU build of the ONNX Runtime natives is on the class path (no CUDA execution provider). */
        GPU_NATIVES,
        /** No NVIDIA driver, or its user-space library {@code libcuda.so.1} is missing. */
        DRIVER,
        /** One or more of the CUDA / cuDNN libraries the CUDA execution provider links against is missing. */
        LIBRARIES,
        /** The device index is not below the number of visible GPUs. */
        DEVICE_INDEX,
        /** Every check passed but ONNX Runtime still could not enable the CUDA execution provider. */
        PROVIDER
    }

    private final transient Device device;
    private final Reason reason;

    /**
     * @param device the device that was requested; never null
     * @param reason which check failed; never null
     * @param message one line: what is missing and how to fix it
     * @param cause the underlying failure, or null
     */
    public DeviceUnavailableException(Device device, Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.device = Objects.requireNonNull(device, "device");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return the device that was requested */
    public Device device() {
        return device;
    }

    /** @return which check failed */
    public Reason reason() {
        return reason;
    }
}
