package org.onnxtoolkit.engine.ort;

import java.util.Locale;

/**
 * Where ONNX Runtime runs a session: the CPU, or one CUDA GPU.
 *
 * <p>Written as {@code "cpu"}, {@code "cuda"} (GPU 0) or {@code "cuda:N"}; {@link #parse} reads these forms
 * and {@code toString()} writes them.
 */
public sealed interface Device permits Device.Cpu, Device.Cuda {

    /** The CPU execution provider (always available). */
    record Cpu() implements Device {
        @Override
        public String toString() {
            return "cpu";
        }
    }

    /**
     * The CUDA execution provider on one GPU. Needs the GPU natives (classifier {@code linux-x86_64-gpu},
     * Maven profile {@code gpu}) and a matching CUDA/cuDNN installation.
     *
     * @param index the CUDA device ordinal, {@code >= 0}
     */
    record Cuda(int index) implements Device {
        /** Validates the index. */
        public Cuda {
            if (index < 0) {
                throw new IllegalArgumentException("CUDA device index must be >= 0 but was " + index);
            }
        }

        @Override
        public String toString() {
            return "cuda:" + index;
        }
    }

    /** @return the CPU device */
    static Device cpu() {
        return new Cpu();
    }

    /**
     * @param index the CUDA device ordinal, {@code >= 0}
     * @return that GPU
     */
    static Device cuda(int index) {
        return new Cuda(index);
    }

    /**
     * Parses {@code "cpu"}, {@code "cuda"} or {@code "cuda:N"} (case-insensitive, surrounding blanks ignored).
     *
     * @param text the device text
     * @return the device
     * @throws IllegalArgumentException if the text is none of these forms
     */
    static Device parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("device must be \"cpu\", \"cuda\" or \"cuda:N\" but was null");
        }
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return cpu();
        }
        if (s.equals("cuda")) {
            return cuda(0);
        }
        if (s.startsWith("cuda:")) {
            String digits = s.substring(5);
            if (!digits.isEmpty() && digits.chars().allMatch(c -> c >= '0' && c <= '9') && digits.length() <= 9) {
                return cuda(Integer.parseInt(digits));
            }
        }
        throw new IllegalArgumentException(
                "device must be \"cpu\", \"cuda\" or \"cuda:N\" with N >= 0 but was \"" + text + "\"");
    }
}
