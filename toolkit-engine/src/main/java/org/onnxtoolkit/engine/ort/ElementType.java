package org.onnxtoolkit.engine.ort;

import ai.onnx.proto.OnnxMl;
import java.util.Locale;

/**
 * The element types a {@link Tensor} carries, with their ONNX {@code TensorProto.DataType} codes (the same
 * numbers as ORT's {@code ONNXTensorElementDataType}).
 *
 * <p>Each type names the Java array that holds its elements: {@code float[]} for {@link #FLOAT32},
 * {@code long[]} for {@link #INT64}, {@code int[]} for {@link #INT32}, {@code byte[]} read as unsigned for
 * {@link #UINT8} and {@code boolean[]} for {@link #BOOL}. {@link #toString()} gives the lower-case name
 * ({@code "float32"}, {@code "int64"}, as numpy spells them), the one error messages use.
 */
public enum ElementType {
    /** 32-bit IEEE float; {@code float[]}, 4 bytes per element in native memory. */
    FLOAT32(1, "float32", "Tensor.of(float[], shape)"),
    /** Unsigned 8-bit integer (0..255, e.g. pixels); {@code byte[]}, 1 byte. */
    UINT8(2, "uint8", "Tensor.ofUint8(byte[], shape)"),
    /** Signed 32-bit integer; {@code int[]}, 4 bytes. */
    INT32(6, "int32", "Tensor.of(int[], shape)"),
    /** Signed 64-bit integer (class labels, indices, shapes); {@code long[]}, 8 bytes. */
    INT64(7, "int64", "Tensor.of(long[], shape)"),
    /** Boolean; {@code boolean[]}, 1 byte (0 or 1) per element in native memory. */
    BOOL(9, "bool", "Tensor.of(boolean[], shape)");

    private final int onnxCode;
    private final String onnxName;
    private final String factory;

    ElementType(int onnxCode, String onnxName, String factory) {
        this.onnxCode = onnxCode;
        this.onnxName = onnxName;
        this.factory = factory;
    }

    /** @return the ONNX {@code TensorProto.DataType} code, e.g. 7 for int64 */
    public int onnxCode() {
        return onnxCode;
    }

    /** @return the {@link Tensor} factory that makes tensors of this type, for messages */
    String factory() {
        return factory;
    }

    /**
     * @param onnxCode an ONNX {@code TensorProto.DataType} code
     * @return the element type with that code, or null when {@link Tensor} cannot carry it (float16, string,
     *     ...)
     */
    public static ElementType ofOnnxCode(int onnxCode) {
        for (ElementType t : values()) {
            if (t.onnxCode == onnxCode) {
                return t;
            }
        }
        return null;
    }

    /**
     * Names any ONNX element type, also those a {@link Tensor} cannot carry.
     *
     * @param onnxCode an ONNX {@code TensorProto.DataType} code
     * @return this enum's name for the types it has ({@code "float32"}), ONNX's own lower-case name for the others
     *     ({@code "float16"}, {@code "double"}, {@code "string"}), or {@code "element type N"} for a code ONNX
     *     does not define
     */
    public static String nameOf(int onnxCode) {
        ElementType t = ofOnnxCode(onnxCode);
        if (t != null) {
            return t.onnxName;
        }
        OnnxMl.TensorProto.DataType onnx = OnnxMl.TensorProto.DataType.forNumber(onnxCode);
        return onnx == null ? "element type " + onnxCode : onnx.name().toLowerCase(Locale.ROOT);
    }

    /** @return the lower-case name, e.g. {@code "float32"} */
    @Override
    public String toString() {
        return onnxName;
    }
}
