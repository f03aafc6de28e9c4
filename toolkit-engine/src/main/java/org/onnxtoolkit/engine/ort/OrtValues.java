package org.onnxtoolkit.engine.ort;

import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TYPE_TENSOR;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.onnxruntime.OrtApi;
import org.bytedeco.onnxruntime.OrtTensorTypeAndShapeInfo;
import org.bytedeco.onnxruntime.OrtValue;

/**
 * Converts between {@link Tensor} and native {@code OrtValue}s, for every {@link ElementType}. Internal to the
 * session layer.
 *
 * <p>Elements are copied in bulk through a JavaCPP view of ORT's buffer ({@code FloatPointer}, {@code
 * LongPointer}, {@code IntPointer}, {@code BytePointer}); the views own nothing, so nothing is closed. A bool
 * is one byte in ORT (0 or 1), so bool tensors go through a byte array.
 *
 * <p>Ownership: every {@code OrtValue} returned by {@link #create} belongs to the caller, who must pass it to
 * {@link #release} in the same call that created it (normally in a {@code finally} block). {@link #read}
 * only copies; it never releases its argument.
 */
final class OrtValues {

    private OrtValues() {}

    /**
     * Allocates a tensor of {@code tensor}'s element type and shape with ORT's default allocator and copies the
     * elements into it.
     *
     * @param ort the ORT handles
     * @param tensor the source
     * @return a new value owned by the caller
     * @throws OrtException if ORT cannot allocate the tensor
     */
    static OrtValue create(Ort ort, Tensor tensor) {
        OrtApi api = ort.api();
        long[] shape = tensor.dims();
        ElementType type = tensor.type();
        OrtValue value = new OrtValue();
        ort.check(api.CreateTensorAsOrtValue(ort.allocator(), shape, shape.length, type.onnxCode(), value),
                () -> "CreateTensorAsOrtValue(" + describe(tensor) + ")");
        try {
            int count = tensor.size();
            if (count > 0) {
                try (PointerPointer<?> dataOut = new PointerPointer<>(1)) {
                    ort.check(api.GetTensorMutableData(value, dataOut), () -> "GetTensorMutableData");
                    Pointer buffer = dataOut.get(0);
                    Object data = tensor.data();
                    switch (type) {
                        case FLOAT32 -> new FloatPointer(buffer).capacity(count).put((float[]) data);
                        case INT64 -> new LongPointer(buffer).capacity(count).put((long[]) data);
                        case INT32 -> new IntPointer(buffer).capacity(count).put((int[]) data);
                        case UINT8 -> new BytePointer(buffer).capacity(count).put((byte[]) data);
                        case BOOL -> new BytePointer(buffer).capacity(count).put(toBytes((boolean[]) data));
                    }
                }
            }
            return value;
        } catch (RuntimeException e) {
            api.ReleaseValue(value);
            throw e;
        }
    }

    /**
     * Copies a tensor value into Java memory.
     *
     * @param ort the ORT handles
     * @param value a tensor value; not released by this method
     * @param what names the value in error messages, e.g. {@code "TrainStep output 'loss'"}
     * @return the copy
     * @throws IllegalStateException if the value is not a tensor or has an element type {@link Tensor} cannot
     *     carry (float16, string, ...)
     * @throws OrtException if ORT cannot describe the value
     */
    static Tensor read(Ort ort, OrtValue value, Supplier<String> what) {
        OrtApi api = ort.api();
        int[] valueType = new int[1];
        ort.check(api.GetValueType(value, valueType), () -> "GetValueType of " + what.get());
        if (valueType[0] != ONNX_TYPE_TENSOR) {
            throw new IllegalStateException(what.get() + " is not a tensor (ONNXType " + valueType[0]
                    + "); only tensors are supported");
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
        ElementType type = ElementType.ofOnnxCode(elementType);
        if (type == null) {
            throw new IllegalStateException(what.get() + " has element type " + ElementType.nameOf(elementType)
                    + ", which a Tensor cannot carry (float32, int64, int32, uint8 and bool can)");
        }
        int count = Math.toIntExact(Tensor.elementCount(dims));
        Object data = Tensor.newArray(type, count);
        if (count > 0) {
            try (PointerPointer<?> dataOut = new PointerPointer<>(1)) {
                ort.check(api.GetTensorMutableData(value, dataOut), () -> "GetTensorMutableData of " + what.get());
                Pointer buffer = dataOut.get(0);
                switch (type) {
                    case FLOAT32 -> new FloatPointer(buffer).capacity(count).get((float[]) data);
                    case INT64 -> new LongPointer(buffer).capacity(count).get((long[]) data);
                    case INT32 -> new IntPointer(buffer).capacity(count).get((int[]) data);
                    case UINT8 -> new BytePointer(buffer).capacity(count).get((byte[]) data);
                    case BOOL -> {
                        byte[] bytes = new byte[count];
                        new BytePointer(buffer).capacity(count).get(bytes);
                        fromBytes(bytes, (boolean[]) data);
                    }
                }
            }
        }
        return Tensor.wrap(type, dims, data, count);
    }

    private static byte[] toBytes(boolean[] values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = values[i] ? (byte) 1 : (byte) 0;
        }
        return bytes;
    }

    /** ORT's bools are bytes; any non-zero byte is true, as in C++. */
    private static void fromBytes(byte[] bytes, boolean[] into) {
        for (int i = 0; i < bytes.length; i++) {
            into[i] = bytes[i] != 0;
        }
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

    /** Describes a tensor's element type and shape for messages, e.g. {@code "float32[128, 784]"}. */
    static String describe(Tensor t) {
        return t == null ? "null" : t.type() + Arrays.toString(t.dims());
    }
}
