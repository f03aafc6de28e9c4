package org.onnxtoolkit.engine.ort;

import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TYPE_TENSOR;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.onnxruntime.OrtApi;
import org.bytedeco.onnxruntime.OrtTensorTypeAndShapeInfo;
import org.bytedeco.onnxruntime.OrtValue;

/**
 * Converts between {@link Tensor} and native {@code OrtValue}s. Internal to the session layer.
 *
 * <p>Ownership: every {@code OrtValue} returned by {@link #create} belongs to the caller, who must pass it to
 * {@link #release} in the same call that created it (normally in a {@code finally} block). {@link #read}
 * only copies; it never releases its argument.
 */
final class OrtValues {

    private OrtValues() {}

    /**
     * Allocates a float tensor with ORT's default allocator and copies {@code tensor}'s elements into it.
     *
     * @param ort the ORT handles
     * @param tensor the source
     * @return a new value owned by the caller
     * @throws OrtException if ORT cannot allocate the tensor
     */
    static OrtValue create(Ort ort, Tensor tensor) {
        return create(ort, tensor.data(), tensor.dims());
    }

    /**
     * Allocates a float tensor with ORT's default allocator and copies {@code data} into it.
     *
     * @param ort the ORT handles
     * @param data row-major elements; {@code data.length} must equal the product of {@code shape}
     * @param shape the dimensions
     * @return a new value owned by the caller
     * @throws OrtException if ORT cannot allocate the tensor
     */
    static OrtValue create(Ort ort, float[] data, long[] shape) {
        OrtApi api = ort.api();
        OrtValue value = new OrtValue();
        ort.check(api.CreateTensorAsOrtValue(ort.allocator(), shape, shape.length,
                ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, value),
                () -> "CreateTensorAsOrtValue(float " + Arrays.toString(shape) + ")");
        try {
            if (data.length > 0) {
                try (PointerPointer<?> dataOut = new PointerPointer<>(1)) {
                    ort.check(api.GetTensorMutableData(value, dataOut), () -> "GetTensorMutableData");
                    // A view of ORT's buffer: no deallocator, so nothing to close.
                    new FloatPointer(dataOut.get(0)).capacity(data.length).put(data);
                }
            }
            return value;
        } catch (RuntimeException e) {
            api.ReleaseValue(value);
            throw e;
        }
    }

    /**
     * Copies a float tensor value into Java memory.
     *
     * @param ort the ORT handles
     * @param value a tensor value; not released by this method
     * @param what names the value in error messages, e.g. {@code "TrainStep output 'loss'"}
     * @return the copy
     * @throws IllegalStateException if the value is not a float32 tensor
     * @throws OrtException if ORT cannot describe the value
     */
    static Tensor read(Ort ort, OrtValue value, Supplier<String> what) {
        OrtApi api = ort.api();
        int[] valueType = new int[1];
        ort.check(api.GetValueType(value, valueType), () -> "GetValueType of " + what.get());
        if (valueType[0] != ONNX_TYPE_TENSOR) {
            throw new IllegalStateException(what.get() + " is not a tensor (ONNXType " + valueType[0]
                    + "); only float32 tensors are supported");
        }
        OrtTensorTypeAndShapeInfo info = new OrtTensorTypeAndShapeInfo();
        ort.check(api.GetTensorTypeAndShape(value, info), () -> "GetTensorTypeAndShape of " + what.get());
        long[] dims;
        int elementType;
        try {
            int[] type = new int[1];
            ort.check(api.GetTensorElementType(info, type), () -> "GetTensorElementType of " + what.get());
            elementType = type[0];
            try (SizeTPointer rank = new SizeTPointer(1)) {
                ort.check(api.GetDimensionsCount(info, rank), () -> "GetDimensionsCount of " + what.get());
                dims = new long[Math.toIntExact(rank.get())];
            }
            if (dims.length > 0) {
                ort.check(api.GetDimensions(info, dims, dims.length), () -> "GetDimensions of " + what.get());
            }
        } finally {
            api.ReleaseTensorTypeAndShapeInfo(info);
        }
        if (elementType != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
            throw new IllegalStateException(what.get() + " has element type " + elementTypeName(elementType)
                    + " but only float32 tensors are supported");
        }
        int count = Math.toIntExact(Tensor.elementCount(dims));
        float[] data = new float[count];
        if (count > 0) {
            try (PointerPointer<?> dataOut = new PointerPointer<>(1)) {
                ort.check(api.GetTensorMutableData(value, dataOut), () -> "GetTensorMutableData of " + what.get());
                new FloatPointer(dataOut.get(0)).capacity(count).get(data);
            }
        }
        return Tensor.wrap(dims, data);
    }

    /**
     * Releases a value; null and already-null handles are ignored.
     *
     * @param ort the ORT handles
     * @param value the value to release, or null
     */
    static void release(Ort ort, OrtValue value) {
        if (value != null && !value.isNull()) {
            ort.api().ReleaseValue(value);
            value.setNull();
        }
    }

    /**
     * Releases every non-null entry of a pointer array that ORT filled with values.
     *
     * @param ort the ORT handles
     * @param values the array; entries that are null are skipped
     * @param count how many entries to look at
     */
    static void releaseAll(Ort ort, PointerPointer<?> values, int count) {
        for (int i = 0; i < count; i++) {
            Pointer p = values.get(i);
            if (p != null && !p.isNull()) {
                ort.api().ReleaseValue(new OrtValue(p));
                values.put(i, (Pointer) null);
            }
        }
    }

    /**
     * Releases every value in the list; null entries are skipped.
     *
     * @param ort the ORT handles
     * @param values the values
     */
    static void releaseAll(Ort ort, List<OrtValue> values) {
        for (OrtValue v : values) {
            release(ort, v);
        }
    }

    /** Describes a tensor's shape for messages, e.g. {@code "[128, 784]"}. */
    static String describe(Tensor t) {
        return t == null ? "null" : Arrays.toString(t.dims());
    }

    private static String elementTypeName(int type) {
        return switch (type) {
            case 1 -> "float32";
            case 2 -> "uint8";
            case 3 -> "int8";
            case 5 -> "int16";
            case 6 -> "int32";
            case 7 -> "int64";
            case 8 -> "string";
            case 9 -> "bool";
            case 10 -> "float16";
            case 11 -> "float64";
            default -> "type " + type;
        };
    }
}
