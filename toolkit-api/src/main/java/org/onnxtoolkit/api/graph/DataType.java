package org.onnxtoolkit.api.graph;

/**
 * Element types a graph value can have. The numeric codes are ONNX's {@code TensorProto.DataType}.
 * Models are float32 throughout; int64 and bool appear only for shapes, axes and flags.
 */
public enum DataType {
    FLOAT(1),
    INT64(7),
    BOOL(9);

    private final int onnxCode;

    DataType(int onnxCode) {
        this.onnxCode = onnxCode;
    }

    /** The ONNX {@code TensorProto.DataType} code. */
    public int onnxCode() {
        return onnxCode;
    }
}
