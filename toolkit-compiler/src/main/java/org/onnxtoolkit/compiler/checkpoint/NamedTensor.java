package org.onnxtoolkit.compiler.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named float32 tensor as stored in an ORT training checkpoint: a parameter or an optimizer moment.
 *
 * <p>The arrays are copied on construction and by the accessors, so instances are immutable. Equality
 * compares names, dimensions and bitwise element values.
 *
 * @param name the tensor name; for a parameter, the graph input name it binds to. Not empty
 * @param dims the dimensions, each {@code >= 0}; empty for a scalar
 * @param data the elements in row-major order; {@code data.length} equals the product of {@code dims}
 */
public record NamedTensor(String name, long[] dims, float[] data) {

    /** Validates and copies the fields. */
    public NamedTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dims, "dims");
        Objects.requireNonNull(data, "data");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        dims = dims.clone();
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: "
                        + Arrays.toString(dims));
            }
            count = Math.multiplyExact(count, d);
        }
        if (count != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "' with dims " + Arrays.toString(dims)
                    + " needs " + count + " elements but data has " + data.length);
        }
        data = data.clone();
    }

    /** @return a copy of the dimensions */
    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** @return a copy of the elements */
    @Override
    public float[] data() {
        return data.clone();
    }

    /** @return the number of elements */
    public int size() {
        return data.length;
    }

    /**
     * @param flatIndex a row-major index
     * @return the element at that index
     */
    public float get(int flatIndex) {
        return data[flatIndex];
    }

    /** Direct access for this package's writer; must not be modified. */
    float[] rawData() {
        return data;
    }

    /** Direct access for this package's writer; must not be modified. */
    long[] rawDims() {
        return dims;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamedTensor t && name.equals(t.name) && Arrays.equals(dims, t.dims)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + Arrays.hashCode(dims)) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NamedTensor[" + name + " " + Arrays.toString(dims) + "]";
    }
}
