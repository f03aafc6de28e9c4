package org.onnxtoolkit.runtime.cli;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.onnxtoolkit.compiler.io.FileKind;
import org.onnxtoolkit.compiler.io.InputFiles;
import org.onnxtoolkit.engine.ort.InferenceSession;
import org.onnxtoolkit.engine.ort.OrtException;
import org.onnxtoolkit.engine.ort.Outputs;
import org.onnxtoolkit.engine.ort.OutOfMemory;
import org.onnxtoolkit.engine.ort.SessionConfig;
import org.onnxtoolkit.engine.ort.Tensor;

/**
 * Reading {@code .onnx} files the user points at, with the checks made before any memory is spent on them and
 * with messages that name the file.
 *
 * <p>Exit codes: a path that does not exist, or that is a folder, a device or a named pipe, is what the user
 * typed (exit 2, and a named pipe is never opened, so nothing blocks); an empty, oversized or unparsable file,
 * or one ONNX Runtime cannot load, is a damaged model (exit 1).
 */
final class ModelFiles {
    /** Protobuf cannot parse a message over 2 GiB; a larger model keeps its weights in external files. */
    static final long MAX_MODEL_BYTES = Integer.MAX_VALUE;

    private ModelFiles() {
    }

    /**
     * Reads the bytes of a model file.
     *
     * @param what the file's role for the "does not exist" message, e.g. {@code "model file"}
     * @throws UsageException                              if it does not exist
     * @throws org.onnxtoolkit.compiler.io.NotARegularFileException if it is not a regular file
     * @throws IOException                                 if it is empty, too large or unreadable
     */
    static byte[] read(Path file, String what) throws IOException {
        if (FileKind.of(file, true) == FileKind.MISSING) {
            throw new UsageException(what + " " + file + " does not exist");
        }
        byte[] bytes = InputFiles.readAllBytes(file, MAX_MODEL_BYTES, "an ONNX model");
        if (bytes.length == 0) {
            throw new IOException(file + " is empty (0 bytes), not an ONNX model");
        }
        return bytes;
    }

    /**
     * Parses model bytes read from {@code file}.
     *
     * @throws IOException if they are not an ONNX model
     */
    static OnnxMl.ModelProto parse(Path file, byte[] bytes) throws IOException {
        try {
            OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(bytes);
            if (!model.hasGraph()) {
                throw new IOException(file + " is not an ONNX model (it has no graph)");
            }
            return model;
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + " is not an ONNX model (it cannot be parsed: " + firstSentence(e.getMessage()) + ")",
                    e);
        }
    }

    /** Protobuf's messages go on with advice for its own developers after the first sentence. */
    private static String firstSentence(String text) {
        if (text == null || text.isBlank()) {
            return "no detail";
        }
        int end = text.indexOf(". ");
        String first = end > 0 ? text.substring(0, end) : text.strip();
        first = first.endsWith(".") ? first.substring(0, first.length() - 1) : first;
        return Character.toLowerCase(first.charAt(0)) + first.substring(1);
    }

    /**
     * Opens an inference session on model bytes read from {@code file}. A model ONNX Runtime rejects becomes one
     * line naming the file and ORT's reason; running out of memory and an unavailable device pass through.
     *
     * @throws IOException if ONNX Runtime cannot load the model
     */
    static InferenceSession open(Path file, byte[] bytes, SessionConfig config) throws IOException {
        try {
            return InferenceSession.open(bytes, config);
        } catch (OrtException e) {
            if (OutOfMemory.isOutOfMemory(e)) {
                throw e;
            }
            throw new IOException("ONNX Runtime cannot load " + file + ": " + e.shortOrtMessage(), e);
        }
    }

    /**
     * Runs a session opened by {@link #open}; a failure inside the model (a wrong shape, a kernel error) or an
     * input the model does not take (another name or element type) becomes one line naming the file.
     *
     * @throws IOException if the run fails for another reason than memory
     */
    static Outputs run(Path file, InferenceSession session, Map<String, Tensor> inputs) throws IOException {
        try {
            return session.run(inputs);
        } catch (IllegalArgumentException e) {
            throw new IOException("running " + file + " failed: " + e.getMessage(), e);
        } catch (OrtException e) {
            if (OutOfMemory.isOutOfMemory(e)) {
                throw e;
            }
            throw new IOException("running " + file + " failed: " + e.shortOrtMessage(), e);
        }
    }
}
