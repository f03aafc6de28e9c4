package org.onnxtoolkit.engine.ort;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A failed ONNX Runtime C API call, converted from an {@code OrtStatus}.
 *
 * <p>Carries three things: the ORT error code ({@link #errorCode()}, e.g. 2 = {@code INVALID_ARGUMENT}), the
 * full ORT message ({@link #ortMessage()}, which usually starts with a C++ source location and function
 * signature), and our own context, i.e. what we were doing ({@link #context()}, e.g.
 * {@code "TrainStep with inputs [x: [128, 784]]"}).
 *
 * <p>{@link #getMessage()} is {@code context + ": " + shortOrtMessage()}, where the short message drops ORT's
 * location prefix ({@code orttraining/.../module.cc:635 onnxruntime::common::Status ... [ONNXRuntimeError] : 2 :
 * INVALID_ARGUMENT : }) and folds line breaks, so that the message fits on one line. The full text stays
 * available through {@link #ortMessage()}.
 */
public final class OrtException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** ORT wraps the real message as "... [ONNXRuntimeError] : 2 : INVALID_ARGUMENT : real message". */
    private static final Pattern CODE_PREFIX = Pattern.compile("\\[ONNXRuntimeError\\] : \\d+ : [A-Z_]+ : ");

    /** Some messages start with "checkpoint.cc:654 ToModuleState " (file:line, then a function name). */
    private static final Pattern LOCATION_PREFIX =
            Pattern.compile("^[\\w./\\\\-]+\\.(?:cc|cpp|cxx|h|hpp|cu):\\d+ [\\w:~<>]+ ");

    /**
     * A source location with its C++ function inside a message, as a kernel's status carries it after
     * "Status Message: ": {@code /home/.../reshape_helper.h:39 onnxruntime::ReshapeHelper::ReshapeHelper(const
     * onnxruntime::TensorShape&, bool) } (the build machine's paths mean nothing to a user).
     */
    private static final Pattern EMBEDDED_LOCATION =
            Pattern.compile("(?<=\\s|^)[\\w./\\\\-]+\\.(?:cc|cpp|cxx|h|hpp|cu):\\d+ [\\w:~<>]+(?:\\([^()]*\\))?(?: const)? ");

    private final int errorCode;
    private final String ortMessage;
    private final String context;

    /**
     * Creates an exception for a failed ORT call.
     *
     * @param context what we were doing, in words; never null
     * @param errorCode the {@code OrtErrorCode} value returned by ORT
     * @param ortMessage the full message ORT returned; null is treated as empty
     */
    public OrtException(String context, int errorCode, String ortMessage) {
        super(context + ": " + describe(ortMessage));
        this.context = Objects.requireNonNull(context, "context");
        this.errorCode = errorCode;
        this.ortMessage = ortMessage == null ? "" : ortMessage;
    }

    private static String describe(String ortMessage) {
        String s = ortMessage == null ? "" : shorten(ortMessage);
        return s.isEmpty() ? "ONNX Runtime gave no message" : s;
    }

    /** @return the ORT error code ({@code OrtErrorCode}: 1 FAIL, 2 INVALID_ARGUMENT, 3 NO_SUCHFILE, ...) */
    public int errorCode() {
        return errorCode;
    }

    /** @return the symbolic name of {@link #errorCode()}, e.g. {@code "INVALID_ARGUMENT"} */
    public String errorCodeName() {
        return codeName(errorCode);
    }

    /** @return the full, unshortened message ORT returned, including its C++ source location */
    public String ortMessage() {
        return ortMessage;
    }

    /** @return ORT's message without its location prefix, on one line */
    public String shortOrtMessage() {
        return shorten(ortMessage);
    }

    /** @return what we were doing when ORT failed */
    public String context() {
        return context;
    }

    /**
     * Strips ORT's C++ location prefix and folds whitespace, keeping the part a user can act on.
     *
     * @param message a message as returned by {@code OrtApi.GetErrorMessage}
     * @return the part after the last {@code "[ONNXRuntimeError] : N : NAME : "} marker, without a leading
     *     {@code "file.cc:123 Function "} location nor later {@code "/path/file.h:39 ns::Function(args) "} ones,
     *     with runs of whitespace replaced by one space
     */
    static String shorten(String message) {
        String s = message;
        Matcher m = CODE_PREFIX.matcher(s);
        int end = -1;
        while (m.find()) {
            end = m.end();
        }
        if (end >= 0) {
            s = s.substring(end);
        }
        s = LOCATION_PREFIX.matcher(s).replaceFirst("");
        s = EMBEDDED_LOCATION.matcher(s).replaceAll("");
        return s.replaceAll("\\s+", " ").trim();
    }

    /**
     * Names an {@code OrtErrorCode}.
     *
     * @param code the numeric code
     * @return its name, or {@code "code N"} for codes this version does not know
     */
    static String codeName(int code) {
        return switch (code) {
            case 0 -> "OK";
            case 1 -> "FAIL";
            case 2 -> "INVALID_ARGUMENT";
            case 3 -> "NO_SUCHFILE";
            case 4 -> "NO_MODEL";
            case 5 -> "ENGINE_ERROR";
            case 6 -> "RUNTIME_EXCEPTION";
            case 7 -> "INVALID_PROTOBUF";
            case 8 -> "MODEL_LOADED";
            case 9 -> "NOT_IMPLEMENTED";
            case 10 -> "INVALID_GRAPH";
            case 11 -> "EP_FAIL";
            case 12 -> "MODEL_LOAD_CANCELED";
            case 13 -> "MODEL_REQUIRES_COMPILATION";
            case 14 -> "NOT_FOUND";
            default -> "code " + code;
        };
    }
}
