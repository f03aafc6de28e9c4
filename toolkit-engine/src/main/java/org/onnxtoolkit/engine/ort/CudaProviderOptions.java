package org.onnxtoolkit.engine.ort;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Extra options for ONNX Runtime's CUDA execution provider, given by the user as {@code key=value} pairs
 * separated by commas, in the system property {@value #PROPERTY} or, where that is unset, the environment
 * variable {@value #VARIABLE}; for example {@code gpu_mem_limit=8589934592,cudnn_conv_algo_search=HEURISTIC}.
 *
 * <p>The keys are ORT's own ({@code OrtCUDAProviderOptionsV2}): {@code gpu_mem_limit} (bytes the BFC arena may
 * hold), {@code arena_extend_strategy}, {@code cudnn_conv_algo_search} ({@code EXHAUSTIVE}, the default,
 * {@code HEURISTIC} or {@code DEFAULT}), {@code cudnn_conv_use_max_workspace}, {@code use_tf32},
 * {@code do_copy_in_default_stream} and the others ORT documents; ORT checks keys and values when the session
 * is created. {@code device_id} is refused here: the device comes from {@code --device}.
 *
 * <p>Immutable and thread-safe.
 */
public final class CudaProviderOptions {

    /** The system property that holds the options; wins over {@link #VARIABLE}. */
    public static final String PROPERTY = "toolkit.cuda.options";

    /** The environment variable that holds the options where {@link #PROPERTY} is unset. */
    public static final String VARIABLE = "TOOLKIT_CUDA_OPTIONS";

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*");

    private final Map<String, String> options;
    private final String source;

    private CudaProviderOptions(Map<String, String> options, String source) {
        this.options = Collections.unmodifiableMap(options);
        this.source = source;
    }

    /**
     * @return the options of this process: {@value #PROPERTY}, else {@value #VARIABLE}, else none
     * @throws IllegalArgumentException if the text is not {@code key=value} pairs (the message names where it
     *         came from and what to write)
     */
    public static CudaProviderOptions fromSystem() {
        String property = System.getProperty(PROPERTY);
        if (property != null) {
            return parse(property, "system property " + PROPERTY);
        }
        String variable = System.getenv(VARIABLE);
        return parse(variable == null ? "" : variable, VARIABLE);
    }

    /**
     * Parses {@code key=value[,key=value...]}; blanks around keys, values and commas are ignored; an empty text
     * means no options.
     *
     * @param text the options
     * @param source where they came from, for messages ({@code "TOOLKIT_CUDA_OPTIONS"})
     * @return the options, in the order given
     * @throws IllegalArgumentException on a pair without {@code =}, an empty or malformed key, an empty value,
     *         a key given twice, or {@code device_id}
     */
    static CudaProviderOptions parse(String text, String source) {
        Map<String, String> options = new LinkedHashMap<>();
        if (!text.isBlank()) {
            for (String pair : text.split(",", -1)) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair.strip() : pair.substring(0, eq).strip();
                String value = eq < 0 ? "" : pair.substring(eq + 1).strip();
                if (eq < 0 || !KEY.matcher(key).matches() || value.isEmpty()) {
                    throw new IllegalArgumentException(source + ": \"" + pair.strip() + "\" is not key=value; write"
                            + " ONNX Runtime CUDA options as key=value,key=value (e.g. gpu_mem_limit=8589934592)");
                }
                if (key.equals("device_id")) {
                    throw new IllegalArgumentException(source + ": device_id is set by --device cuda:N; remove it");
                }
                if (options.put(key, value) != null) {
                    throw new IllegalArgumentException(source + ": " + key + " is given twice");
                }
            }
        }
        return new CudaProviderOptions(options, source);
    }

    /** @return the options in the order given; unmodifiable, empty when none */
    public Map<String, String> options() {
        return options;
    }

    /** @return where the options came from, for messages */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        options.forEach((k, v) -> s.append(s.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return s.toString();
    }
}
