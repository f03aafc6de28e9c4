package org.onnxtoolkit.engine.ort;

import java.util.List;
import java.util.Locale;

/**
 * Recognises ONNX Runtime failures that mean "the device ran out of memory", and words the advice for them.
 *
 * <p>ORT reports memory exhaustion as an ordinary failed status; only the text tells. What its CUDA and CPU
 * code paths write: the BFC arena's {@code "Failed to allocate memory for requested buffer of size N"},
 * {@code CUDA_CALL} failures such as {@code "CUDA failure 2: out of memory ; GPU=0 ; ... expr=cudaMalloc(...)"}
 * (error name {@code cudaErrorMemoryAllocation}), {@code "CUBLAS_STATUS_ALLOC_FAILED"},
 * {@code "CUDNN_STATUS_ALLOC_FAILED"}, {@code "CUFFT_ALLOC_FAILED"}, and on the CPU {@code "std::bad_alloc"}.
 */
public final class OutOfMemory {

    /** Lower-case fragments, any one of which marks an out-of-memory failure. */
    static final List<String> MARKERS = List.of("out of memory", "failed to allocate memory",
            "cudaerrormemoryallocation", "cublas_status_alloc_failed", "cudnn_status_alloc_failed",
            "cufft_alloc_failed", "bad_alloc");

    private OutOfMemory() {
    }

    /**
     * @param failure any failure; its causes are searched too
     * @return whether an {@link OrtException} in the chain reports memory exhaustion
     */
    public static boolean isOutOfMemory(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OrtException e) {
                String text = (e.ortMessage() + " " + e.getMessage()).toLowerCase(Locale.ROOT);
                if (MARKERS.stream().anyMatch(text::contains)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The one line for the user, e.g. {@code "cuda:0 ran out of memory in a training step at batch size 1024:
     * use a smaller --batch-size (for example 512)"}.
     *
     * @param device where the session ran
     * @param during what was running, e.g. {@code "a training step"}
     * @param batchSize the batch size that failed, {@code >= 1}
     * @param option the command-line option that sets it, e.g. {@code "--batch-size"}
     * @return the message
     */
    public static String advice(Device device, String during, int batchSize, String option) {
        String who = device instanceof Device.Cuda ? device.toString() : "ONNX Runtime (" + device + ")";
        String what = who + " ran out of memory in " + during + " at batch size " + batchSize;
        if (batchSize <= 1) {
            return what + ": the model does not fit on this device even one image at a time; use a smaller model"
                    + (device instanceof Device.Cuda ? " or --device cpu" : "");
        }
        return what + ": use a smaller " + option + " (for example " + batchSize / 2 + ")";
    }
}
