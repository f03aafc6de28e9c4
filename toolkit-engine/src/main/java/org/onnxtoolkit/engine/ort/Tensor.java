package org.onnxtoolkit.engine.ort;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable float32 tensor held in Java memory: a shape and its elements in row-major (C) order.
 *
 * <p>The element at index {@code (i0, ..., ik)} of a tensor with shape {@code [d0, ..., dk]} is
 * {@code data[((i0 * d1 + i1) * d2 + i2) ... ]}. A rank-0 tensor (scalar) has shape {@code []} and one
 * element. All our models are float32, so this is the only element type the session layer converts.
 *
 * <p>Both arrays are copied on the way in and out, so a {@code Tensor} never changes and is safe to share
 * between threads. No native memory is involved: the sessions turn tensors into ORT values at the call
 * boundary and free those in the same call.
 */
public final class Tensor {

    private static final long[] NO_DIMS = new long[0];

    private final long[] shape;
    private final float[] data;

    private Tensor(long[] shape, float[] data) {
        this.shape = shape;
        this.data = data;
    }

    /**
     * Creates a tensor from row-major data.
     *
     * @param data the elements in row-major order; copied
     * @param shape the dimensions, each {@code >= 0}; copied. No dimensions means a scalar
     * @return the tensor
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@code Integer.MAX_VALUE}, or {@code data.length} differs from the product of the dimensions
     */
    public static Tensor of(float[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(shape, "shape");
        long[] dims = shape.clone();
        long count = elementCount(dims);
        if (count != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " needs " + count
                    + " elements but data has " + data.length);
        }
        return new Tensor(dims, data.clone());
    }

    /**
     * Creates a rank-0 tensor.
     *
     * @param value the single element
     * @return a tensor with shape {@code []}
     */
    public static Tensor scalar(float value) {
        return new Tensor(NO_DIMS, new float[] {value});
    }

    /**
     * Creates a tensor of zeros.
     *
     * @param shape the dimensions, each {@code >= 0}
     * @return the tensor
     */
    public static Tensor zeros(long... shape) {
        long[] dims = shape.clone();
        return new Tensor(dims, new float[Math.toIntExact(elementCount(dims))]);
    }

    /** Wraps arrays this package created and no longer touches; no copies. */
    static Tensor wrap(long[] shape, float[] data) {
        return new Tensor(shape, data);
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
        return data.length;
    }

    /** @return a copy of the elements in row-major order */
    public float[] toArray() {
        return data.clone();
    }

    /**
     * @param flatIndex a row-major index, {@code 0 <= flatIndex < size()}
     * @return the element at that index
     */
    public float get(int flatIndex) {
        return data[flatIndex];
    }

    /**
     * Returns the only element of a one-element tensor, e.g. a scalar loss.
     *
     * @return the element
     * @throws IllegalStateException if the tensor does not have exactly one element
     */
    public float item() {
        if (data.length != 1) {
            throw new IllegalStateException("item() needs exactly 1 element but shape " + Arrays.toString(shape)
                    + " has " + data.length);
        }
        return data[0];
    }

    /**
     * Copies the elements into an existing array, avoiding an allocation.
     *
     * @param dest the destination
     * @param offset where the first element goes
     * @throws IndexOutOfBoundsException if {@code dest} is too short
     */
    public void copyTo(float[] dest, int offset) {
        System.arraycopy(data, 0, dest, offset, data.length);
    }

    /** Direct access for this package's native copies; callers must not modify it. */
    float[] data() {
        return data;
    }

    /** Direct access for this package's native copies; callers must not modify it. */
    long[] dims() {
        return shape;
    }

    /** Two tensors are equal if they have the same shape and bitwise the same elements. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    /** @return e.g. {@code "Tensor[2, 3]"}, plus the elements when there are at most 8 */
    @Override
    public String toString() {
        String s = "Tensor" + Arrays.toString(shape);
        return data.length <= 8 ? s + Arrays.toString(data) : s;
    }
}
