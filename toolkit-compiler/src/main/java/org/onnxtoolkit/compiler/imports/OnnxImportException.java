package org.onnxtoolkit.compiler.imports;

import java.io.IOException;

/**
 * An ONNX model that cannot be imported: damaged or truncated, an opset or element type outside what the
 * importer reads, operators it does not support, dynamic dimensions it cannot resolve, or external data that
 * is missing or lies outside the model's folder. The message names the file and says what to do; for
 * unsupported operators it has one line per operator type after the first line, naming the nodes.
 */
public final class OnnxImportException extends IOException {
    private static final long serialVersionUID = 1L;

    public OnnxImportException(String message) {
        super(message);
    }

    public OnnxImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
