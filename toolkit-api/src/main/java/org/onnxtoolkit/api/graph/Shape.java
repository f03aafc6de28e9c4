package org.onnxtoolkit.api.graph;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * The shape of a graph value: a list of dimensions, each either a positive size or {@link #BATCH}, the
 * symbolic batch dimension (written {@code batch} in ONNX). A rank-0 shape is a scalar.
 *
 * <p>Immutable and thread-safe.
 */
public final class Shape {
    /** Marker for the symbolic batch dimension. */
    public static final long BATCH = -1L;

    /** The rank-0 shape of a scalar. */
    public static final Shape SCALAR = new Shape(new long[0]);

    private final long[] dims;

    private Shape(long[] dims) {
        this.dims = dims;
    }

    /**
     * A shape from its dimensions.
     *
     * @param dims positive sizes, or {@link #BATCH} for the symbolic batch dimension
     * @throws GraphBuildException if a dimension is zero or negative (other than {@code BATCH})
     */
    public static Shape of(long... dims) {
        for (long d : dims) {
            if (d <= 0 && d != BATCH) {
                throw new GraphBuildException("invalid shape " + Arrays.toString(dims)
                        + ": every dimension must be positive or Shape.BATCH");
            }
        }
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code axis}; negative axes count from the end. */
    public long dim(int axis) {
        return dims[axis < 0 ? axis + dims.length : axis];
    }

    /** A copy of the dimensions. */
    public long[] dims() {
        return dims.clone();
    }

    /** True when no dimension is {@link #BATCH}. */
    public boolean isStatic() {
        for (long d : dims) {
            if (d == BATCH) {
                return false;
            }
        }
        return true;
    }

    public boolean hasBatch() {
        return !isStatic();
    }

    /** Number of elements; only for static shapes. */
    public long elementCount() {
        if (!isStatic()) {
            throw new IllegalStateException("shape " + this + " has a symbolic batch dimension");
        }
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Product of the static dimensions, skipping {@link #BATCH}. */
    public long staticElementCount() {
        long n = 1;
        for (long d : dims) {
            if (d != BATCH) {
                n = Math.multiplyExact(n, d);
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** For example {@code [batch, 784]}. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (long d : dims) {
            j.add(d == BATCH ? "batch" : Long.toString(d));
        }
        return j.toString();
    }
}
