package org.onnxtoolkit.engine.ort;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable tensor held in Java memory: an {@link ElementType}, a shape and the elements in row-major (C)
 * order.
 *
 * <p>The element at index {@code (i0, ..., ik)} of a tensor with shape {@code [d0, ..., dk]} is at flat index
 * {@code ((i0 * d1 + i1) * d2 + i2) ...}. A rank-0 tensor (scalar) has shape {@code []} and one element.
 * The element types are float32 ({@link #of(float[], long...)}, images, losses, parameters), int64
 * ({@link #of(long[], long...)}, class labels), int32 ({@link #of(int[], long...)}), uint8
 * ({@link #ofUint8(byte[], long...)}, raw pixels) and bool ({@link #of(boolean[], long...)}). Each has its
 * accessor ({@link #toFloatArray()}, {@link #toLongArray()}, {@link #toIntArray()}, {@link #toUint8Array()},
 * {@link #toBooleanArray()}); asking for another type than the tensor's fails with one line naming both.
 *
 * <p>Arrays are copied on the way in and out, so a {@code Tensor} never changes and is safe to share
 * between threads. No native memory is involved: the sessions turn tensors into ORT values at the call
 * boundary and free those in the same call.
 */
public final class Tensor {

    private static final long[] NO_DIMS = new long[0];

    private final ElementType type;
    private final long[] shape;
    /** A {@code float[]}, {@code long[]}, {@code int[]}, {@code byte[]} or {@code boolean[]}, as {@link #type}. */
    private final Object data;
    private final int size;

    private Tensor(ElementType type, long[] shape, Object data, int size) {
        this.type = type;
        this.shape = shape;
        this.data = data;
        this.size = size;
    }

    /**
     * Creates a float32 tensor from row-major data.
     *
     * @param data the elements in row-major order; copied
     * @param shape the dimensions, each {@code >= 0}; copied. No dimensions means a scalar
     * @return the tensor
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@code Integer.MAX_VALUE}, or {@code data.length} differs from the product of the dimensions
     */
    public static Tensor of(float[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        return checked(ElementType.FLOAT32, shape, data.clone(), data.length);
    }

    /**
     * Creates an int64 tensor (for example class labels {@code [N]}) from row-major data.
     *
     * @param data the elements in row-major order; copied
     * @param shape the dimensions, each {@code >= 0}; copied. No dimensions means a scalar
     * @return the tensor
     * @throws IllegalArgumentException as {@link #of(float[], long...)}
     */
    public static Tensor of(long[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        return checked(ElementType.INT64, shape, data.clone(), data.length);
    }

    /**
     * Creates an int32 tensor from row-major data.
     *
     * @param data the elements in row-major order; copied
     * @param shape the dimensions, each {@code >= 0}; copied. No dimensions means a scalar
     * @return the tensor
     * @throws IllegalArgumentException as {@link #of(float[], long...)}
     */
    public static Tensor of(int[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        return checked(ElementType.INT32, shape, data.clone(), data.length);
    }

    /**
     * Creates a bool tensor from row-major data.
     *
     * @param data the elements in row-major order; copied
     * @param shape the dimensions, each {@code >= 0}; copied. No dimensions means a scalar
     * @return the tensor
     * @throws IllegalArgumentException as {@link #of(float[], long...)}
     */
    public static Tensor of(boolean[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        return checked(ElementType.BOOL, shape, data.clone(), data.length);
    }

    /**
     * Creates a uint8 tensor from row-major data. Java's {@code byte} is signed: the byte {@code (byte) 255}
     * is the element 255, as {@code Byte.toUnsignedInt} reads it.
     *
     * @param data the elements in row-major order, each read as unsigned; copied
     * @param shape the dimensions, each {@code >= 0}; copied. No dimensions means a scalar
     * @return the tensor
     * @throws IllegalArgumentException as {@link #of(float[], long...)}
     */
    public static Tensor ofUint8(byte[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        return checked(ElementType.UINT8, shape, data.clone(), data.length);
    }

    /**
     * Creates a rank-0 float32 tensor.
     *
     * @param value the single element
     * @return a tensor with shape {@code []}
     */
    public static Tensor scalar(float value) {
        return new Tensor(ElementType.FLOAT32, NO_DIMS, new float[] {value}, 1);
    }

    /**
     * Creates a float32 tensor of zeros.
     *
     * @param shape the dimensions, each {@code >= 0}
     * @return the tensor
     * @throws IllegalArgumentException if a dimension is negative or there are more than
     *     {@code Integer.MAX_VALUE} elements
     */
    public static Tensor zeros(long... shape) {
        return zeros(ElementType.FLOAT32, shape);
    }

    /**
     * Creates a tensor of zeros ({@code false} for bool).
     *
     * @param type the element type
     * @param shape the dimensions, each {@code >= 0}
     * @return the tensor
     * @throws IllegalArgumentException as {@link #zeros(long...)}
     */
    public static Tensor zeros(ElementType type, long... shape) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(shape, "shape");
        long[] dims = shape.clone();
        int count = Math.toIntExact(elementCount(dims));
        return new Tensor(type, dims, newArray(type, count), count);
    }

    private static Tensor checked(ElementType type, long[] shape, Object copy, int length) {
        Objects.requireNonNull(shape, "shape");
        long[] dims = shape.clone();
        long count = elementCount(dims);
        if (count != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " needs " + count
                    + " elements but data has " + length);
        }
        return new Tensor(type, dims, copy, length);
    }

    /**
     * Wraps arrays this package created and no longer touches; no copies.
     *
     * @param data an array of {@code type}'s Java type whose length is the product of {@code shape}
     */
    static Tensor wrap(ElementType type, long[] shape, Object data, int count) {
        return new Tensor(type, shape, data, count);
    }

    /** A new zero-filled array of {@code type}'s Java type. */
    static Object newArray(ElementType type, int count) {
        return switch (type) {
            case FLOAT32 -> new float[count];
            case INT64 -> new long[count];
            case INT32 -> new int[count];
            case UINT8 -> new byte[count];
            case BOOL -> new boolean[count];
        };
    }

    /**
     * Multiplies dimensions, validating them.
     *
     * @param dims the dimensions
     * @return the product (1 for no dimensions)
     * @throws IllegalArgumentException if a dimension is negative or the product exceeds
     *     {@code Integer.MAX_VALUE}
     */
    static long elementCount(long[] dims) {
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("dimensions must be >= 0 but shape is " + Arrays.toString(dims));
            }
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims)
                        + " has more than Integer.MAX_VALUE elements");
            }
        }
        return count;
    }

    /** @return the element type */
    public ElementType type() {
        return type;
    }

    /** @return a copy of the shape; empty for a scalar */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of dimensions (0 for a scalar) */
    public int rank() {
        return shape.length;
    }

    /**
     * @param axis a dimension index, {@code 0 <= axis < rank()}
     * @return the size of that dimension
     */
    public long dim(int axis) {
        return shape[axis];
    }

    /** @return the number of elements (the product of the dimensions; 1 for a scalar) */
    public int size() {
        return size;
    }

    /**
     * @return a copy of the elements of a float32 tensor in row-major order
     * @throws IllegalStateException if the tensor is not float32
     */
    public float[] toFloatArray() {
        return ((float[]) data(ElementType.FLOAT32, "toFloatArray()")).clone();
    }

    /**
     * @return a copy of the elements of an int64 tensor in row-major order
     * @throws IllegalStateException if the tensor is not int64
     */
    public long[] toLongArray() {
        return ((long[]) data(ElementType.INT64, "toLongArray()")).clone();
    }

    /**
     * @return a copy of the elements of an int32 tensor in row-major order
     * @throws IllegalStateException if the tensor is not int32
     */
    public int[] toIntArray() {
        return ((int[]) data(ElementType.INT32, "toIntArray()")).clone();
    }

    /**
     * @return a copy of the elements of a uint8 tensor in row-major order; read each with
     *     {@code Byte.toUnsignedInt}
     * @throws IllegalStateException if the tensor is not uint8
     */
    public byte[] toUint8Array() {
        return ((byte[]) data(ElementType.UINT8, "toUint8Array()")).clone();
    }

    /**
     * @return a copy of the elements of a bool tensor in row-major order
     * @throws IllegalStateException if the tensor is not bool
     */
    public boolean[] toBooleanArray() {
        return ((boolean[]) data(ElementType.BOOL, "toBooleanArray()")).clone();
    }

    /**
     * Returns the only element of a one-element float32 tensor, e.g. a scalar loss.
     *
     * @return the element
     * @throws IllegalStateException if the tensor is not float32 or does not have exactly one element
     */
    public float item() {
        float[] values = (float[]) data(ElementType.FLOAT32, "item()");
        if (values.length != 1) {
            throw new IllegalStateException("item() needs exactly 1 element but shape " + Arrays.toString(shape)
                    + " has " + values.length);
        }
        return values[0];
    }

    private Object data(ElementType wanted, String accessor) {
        if (type != wanted) {
            throw new IllegalStateException(accessor + " needs a " + wanted + " tensor but this one is " + type
                    + " " + Arrays.toString(shape) + "; use " + accessorOf(type));
        }
        return data;
    }

    private static String accessorOf(ElementType type) {
        return switch (type) {
            case FLOAT32 -> "toFloatArray()";
            case INT64 -> "toLongArray()";
            case INT32 -> "toIntArray()";
            case UINT8 -> "toUint8Array()";
            case BOOL -> "toBooleanArray()";
        };
    }

    /** Direct access for this package's native copies; callers must not modify it. */
    Object data() {
        return data;
    }

    /** Direct access for this package's native copies; callers must not modify it. */
    long[] dims() {
        return shape;
    }

    /**
     * Two tensors are equal if they have the same element type, the same shape and bitwise the same elements
     * (so {@code 0f} and {@code -0f} differ, and a NaN equals the same NaN).
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Tensor t) || type != t.type || !Arrays.equals(shape, t.shape)) {
            return false;
        }
        return switch (type) {
            case FLOAT32 -> Arrays.equals((float[]) data, (float[]) t.data);
            case INT64 -> Arrays.equals((long[]) data, (long[]) t.data);
            case INT32 -> Arrays.equals((int[]) data, (int[]) t.data);
            case UINT8 -> Arrays.equals((byte[]) data, (byte[]) t.data);
            case BOOL -> Arrays.equals((boolean[]) data, (boolean[]) t.data);
        };
    }

    @Override
    public int hashCode() {
        int h = 31 * type.hashCode() + Arrays.hashCode(shape);
        return 31 * h + switch (type) {
            case FLOAT32 -> Arrays.hashCode((float[]) data);
            case INT64 -> Arrays.hashCode((long[]) data);
            case INT32 -> Arrays.hashCode((int[]) data);
            case UINT8 -> Arrays.hashCode((byte[]) data);
            case BOOL -> Arrays.hashCode((boolean[]) data);
        };
    }

    /**
     * @return e.g. {@code "Tensor float32[2, 3]"}, plus the elements when there are at most 8
     *     ({@code "Tensor int64[2][3, 7]"}; uint8 elements shown unsigned)
     */
    @Override
    public String toString() {
        String s = "Tensor " + type + Arrays.toString(shape);
        if (size > 8) {
            return s;
        }
        return s + switch (type) {
            case FLOAT32 -> Arrays.toString((float[]) data);
            case INT64 -> Arrays.toString((long[]) data);
            case INT32 -> Arrays.toString((int[]) data);
            case UINT8 -> unsigned((byte[]) data);
            case BOOL -> Arrays.toString((boolean[]) data);
        };
    }

    private static String unsigned(byte[] bytes) {
        int[] values = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            values[i] = Byte.toUnsignedInt(bytes[i]);
        }
        return Arrays.toString(values);
    }
}
