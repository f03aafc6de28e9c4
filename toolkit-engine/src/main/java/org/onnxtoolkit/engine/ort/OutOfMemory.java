package org.onnxtoolkit.engine.ort;

import java.util.List;
import java.util.Locale;

/**
 * Recognises ONNX Runtime failures that mean "the device ran out of memory", and words the advice for them.
 *
 * <p>ORT reports memory exhaustion as an ordinary failed status; only the text tells. What its CUDA and CPU
 * code paths write: the BFC arena's {@code "Failed to allocate memory for requested buffer of size N"} and, when
 * its {@code gpu_mem_limit} is reached (seen on an H200 with the limit at 512 MiB), {@code "Available memory of
 * 0 is smaller than requested bytes of 268435456"},
 * {@code CUDA_CALL} failures such as {@code "CUDA failure 2: out of memory ; GPU=0 ; ... expr=cudaMalloc(...)"}
 * (error name {@code cudaErrorMemoryAllocation}), {@code "CUBLAS_STATUS_ALLOC_FAILED"},
 * {@code "CUDNN_STATUS_ALLOC_FAILED"}, {@code "CUFFT_ALLOC_FAILED"}, and on the CPU {@code "std::bad_alloc"}.
 *
 * <p>A batch can also be too large for cuDNN before memory runs out: cuDNN describes a tensor with 32-bit
 * element counts and refuses one of 2^31 elements or more ({@code cudnnSetTensorNdDescriptor} returns
 * {@code CUDNN_STATUS_NOT_SUPPORTED}). Seen on an H200 (141 GB): the vanilla conv preset at batch 65536, whose
 * first convolution's output has 65536 x 32 x 32 x 32 = 2^31 elements. That failure counts here too, with its
 * own advice, since the cure is the same: a smaller batch.
 */
public final class OutOfMemory {

    /** Lower-case fragments, any one of which marks an out-of-memory failure. */
    static final List<String> MARKERS = List.of("out of memory", "failed to allocate memory",
            "is smaller than requested bytes",
            "cudaerrormemoryallocation", "cublas_status_alloc_failed", "cudnn_status_alloc_failed",
            "cufft_alloc_failed", "bad_alloc");

    /** Lower-case fragments that all mark a tensor beyond cuDNN's 2^31-element limit. */
    static final List<String> CUDNN_LIMIT_MARKERS = List.of("cudnn_status_not_supported", "cudnnsettensornddescriptor");

    private OutOfMemory() {
    }

    /**
     * @param failure any failure; its causes are searched too
     * @return whether an {@link OrtException} in the chain reports memory exhaustion
     */
    public static boolean isOutOfMemory(Throwable failure) {
        return anyOrtMessage(failure, text -> MARKERS.stream().anyMatch(text::contains)) || isBeyondCudnnLimit(failure);
    }

    /**
     * @param failure any failure; its causes are searched too
     * @return whether an {@link OrtException} in the chain is cuDNN refusing a tensor of 2^31 elements or more
     */
    public static boolean isBeyondCudnnLimit(Throwable failure) {
        return anyOrtMessage(failure, text -> CUDNN_LIMIT_MARKERS.stream().allMatch(text::contains));
    }

    private static boolean anyOrtMessage(Throwable failure, java.util.function.Predicate<String> test) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OrtException e
                    && test.test((e.ortMessage() + " " + e.getMessage()).toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The one line for the user, worded for what the failure was: memory, e.g. {@code "cuda:0 ran out of memory in
     * a training step at batch size 1024: use a smaller --batch-size (for example 512)"}, or a tensor beyond
     * cuDNN's limit, e.g. {@code "cuda:0 cannot run a training step at batch size 65536: one of its tensors passes
     * cuDNN's limit of 2^31 elements; use a smaller --batch-size (for example 32768)"}.
     *
     * @param device where the session ran
     * @param during what was running, e.g. {@code "a training step"}
     * @param batchSize the batch size that failed, {@code >= 1}
     * @param option the command-line option that sets it, e.g. {@code "--batch-size"}
     * @param failure the failure, or {@code null} to word it as memory
     * @return the message
     */
    public static String advice(Device device, String during, int batchSize, String option, Throwable failure) {
        if (failure != null && isBeyondCudnnLimit(failure)) {
            return device + " cannot run " + during + " at batch size " + batchSize + ": one of its tensors passes"
                    + " cuDNN's limit of 2^31 elements; use a smaller " + option
                    + (batchSize > 1 ? " (for example " + batchSize / 2 + ")" : "");
        }
        String who = device instanceof Device.Cuda ? device.toString() : "ONNX Runtime (" + device + ")";
        String what = who + " ran out of memory in " + during + " at batch size " + batchSize;
        if (batchSize <= 1) {
            return what + ": the model does not fit on this device even one image at a time; use a smaller model"
                    + (device instanceof Device.Cuda ? " or --device cpu" : "");
        }
        return what + ": use a smaller " + option + " (for example " + batchSize / 2 + ")";
    }
}
